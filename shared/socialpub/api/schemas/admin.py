from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from socialpub.api.envelope import Timestamp
from socialpub.domain.admin_auth import ROLE_PERMISSIONS
from socialpub.domain.users import AdminUser, Role


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class LoginUser(BaseModel):
    id: str
    email: str
    name: str
    role: Role


class LoginData(BaseModel):
    token: str
    expires_at: Timestamp
    user: LoginUser


class ProfileUser(LoginUser):
    created_at: Timestamp
    last_login: Timestamp | None
    permissions: list[str]

    @classmethod
    def of(cls, user: AdminUser) -> ProfileUser:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            created_at=user.created_at,
            last_login=user.last_login,
            permissions=sorted(p.value for p in ROLE_PERMISSIONS[user.role]),
        )


class ProfileData(BaseModel):
    user: ProfileUser


class MessageData(BaseModel):
    message: str
