"""POST /api/v1/linkedin-post-statistics: one figure of a published post, as Publora answers it.

Beyond Publora, the post may be on any network: each queryType is that network's nearest figure
(domain/services/post_statistics.py ``NEAREST``), and a figure read more than a minute ago is read
again from the network first (``STALE_AFTER``).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from socialpub.api.container import ContainerDep
from socialpub.api.publora.auth import Caller, requires
from socialpub.api.publora.identifiers import account_id_of
from socialpub.domain.permissions import Permission
from socialpub.domain.services.post_statistics import Statistic, post_statistic

router = APIRouter(tags=["publora"])


class StatisticsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    postedId: str = Field(min_length=1, max_length=2000)  # the network's id (get-post's postedId)
    queryType: Statistic
    platformId: str = Field(min_length=1, max_length=200)  # linkedin-<account id>, or the bare id


class Statistics(BaseModel):
    success: bool = True
    count: int


@router.post("/linkedin-post-statistics")
def linkedin_post_statistics(
    query: StatisticsQuery, c: ContainerDep, caller: Caller = requires(Permission.ANALYTICS_READ)
) -> Statistics:
    account_id = account_id_of(query.platformId)
    # The network the platformId names, when it names one: another network's account is not it.
    network = query.platformId.removesuffix(f"-{account_id}") if query.platformId != account_id else None
    count = post_statistic(
        c.publora_statistics_deps, caller.workspace_id, account_id, query.postedId, query.queryType, network=network
    )
    return Statistics(count=count)
