"""The post routes' bodies (api/postsider/routers/posts.py), checked the way Postiz's DTOs are.

Postiz validates with class-validator and answers every problem at once as "<path> <problem>":
these models give the same paths and wording. Fields are read leniently (``Any``) and checked by
validators, so that a missing field gets class-validator's message rather than pydantic's "Field
required"; keys the DTOs do not know are ignored, as Nest's pipe (without whitelist) ignores them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from socialpub.domain.dates import read_instant
from socialpub.domain.errors import InvalidInput
from socialpub.domain.services.releases import network_post_id_problem

MEDIA_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp4")


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _optional_string(value: Any) -> str | None:
    return None if value is None else _string(value)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be a boolean value")
    return value


def _array(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("must be an array")
    return value


def _at_least_one(value: list[Any]) -> list[Any]:
    if not value:
        raise ValueError("must contain at least 1 elements")
    return value


def _iso_date(value: Any) -> str:
    """An ISO 8601 date or date-time (class-validator's IsISO8601 takes a bare date too)."""
    if not isinstance(value, str):
        raise ValueError("must be a valid ISO 8601 date string")
    try:
        read_instant(value, "date", whole_day=False)
    except InvalidInput:
        raise ValueError("must be a valid ISO 8601 date string") from None
    return value


def _media_path(value: Any) -> str:
    path = _string(value)
    if not path.split("?", 1)[0].lower().endswith(MEDIA_EXTENSIONS):
        raise ValueError(f"File must have a valid extension: {', '.join(MEDIA_EXTENSIONS)}")
    return path


def _object(value: Any) -> dict[str, Any] | None:
    if value is not None and not isinstance(value, dict):
        raise ValueError("must be an object")
    return value


Str = Annotated[str, BeforeValidator(_string)]
OptionalStr = Annotated[str | None, BeforeValidator(_optional_string)]
Bool = Annotated[bool, BeforeValidator(_boolean)]
IsoDate = Annotated[str, BeforeValidator(_iso_date)]
Settings = Annotated[dict[str, Any] | None, BeforeValidator(_object)]


def _required(**kwargs: Any) -> Any:
    """A required field checked by its validator even when missing (class-validator's IsDefined
    then says what the value must be)."""
    return Field(None, validate_default=True, **kwargs)


class _Dto(BaseModel):
    """Field names are Postiz's (camelCase where its are), so that problems name them as it does."""

    model_config = ConfigDict(extra="ignore")


class Image(_Dto):
    id: Str = _required()
    path: Annotated[str, BeforeValidator(_media_path)] = _required()
    alt: OptionalStr = None
    thumbnail: OptionalStr = None


class Value(_Dto):
    content: Str = _required()
    id: OptionalStr = None
    delay: Any = None
    image: Annotated[list[Image], BeforeValidator(_array)] = _required()


class Tag(_Dto):
    value: Str = _required()
    label: Str = _required()


class Integration(_Dto):
    id: Str = _required()


class PostItem(_Dto):
    integration: Integration = _required()
    value: Annotated[list[Value], BeforeValidator(_array), AfterValidator(_at_least_one)] = _required()
    group: OptionalStr = None
    settings: Settings = None


class CreatePosts(_Dto):
    """POST /public/v1/posts. ``type`` is not validated (Postiz forces it to schedule for its
    checks): draft, now, and anything else is schedule."""

    type: Any = None
    shortLink: Bool = _required()
    date: IsoDate = _required()
    tags: Annotated[list[Tag], BeforeValidator(_array)] = _required()
    posts: Annotated[list[PostItem], BeforeValidator(_array), AfterValidator(_at_least_one)] = _required()
    inter: Any = None
    order: Any = None
    republish: Any = None
    creationMethod: Any = None

    def problems(self) -> list[str]:
        """What the field types cannot say: content is required unless the value has images."""
        return [
            f"posts.{i}.value.{j}.content If images do not exist, content must be a non-empty string."
            for i, item in enumerate(self.posts)
            for j, value in enumerate(item.value)
            if not value.content.strip() and not value.image
        ]


def _required_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("must be an object")
    return value


def _status(value: Any) -> str:
    if value not in ("draft", "schedule"):
        raise ValueError("must be one of the following values: draft, schedule")
    return str(value)


class ChangeStatus(_Dto):
    status: Annotated[Literal["draft", "schedule"], BeforeValidator(_status)] = _required()


class ChangeSettings(_Dto):
    settings: Annotated[dict[str, Any], BeforeValidator(_required_object)] = _required()


def _network_post_id(value: str) -> str:
    problem = network_post_id_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


class ReleaseId(_Dto):
    """PUT /posts/:id/release-id: the network's id of the post (domain/services/releases.py)."""

    releaseId: Annotated[str, BeforeValidator(_string), AfterValidator(_network_post_id)] = _required()


# ---------------------------------------------------------------------- answers (Postiz's field names)


class Created(BaseModel):
    postId: str
    integration: str


class ListedIntegration(BaseModel):
    id: str
    providerIdentifier: str
    name: str
    picture: str | None


class ListedPost(BaseModel):
    id: str
    content: str
    publishDate: str
    releaseURL: str | None
    releaseId: str | None
    state: Literal["DRAFT", "QUEUE", "PUBLISHED", "ERROR"]
    group: str
    integration: ListedIntegration


class PostList(BaseModel):
    posts: list[ListedPost]


class StatusChanged(BaseModel):
    id: str
    state: Literal["DRAFT", "QUEUE"]


class ReleaseRecorded(BaseModel):
    """The Postiz docs' answer (the real server answers the whole post row)."""

    id: str
    releaseId: str


class SettingsChanged(BaseModel):
    postId: str
    publishDate: str


class Deleted(BaseModel):
    id: str


class GroupDeleted(BaseModel):
    group: str
    deleted: list[str]
