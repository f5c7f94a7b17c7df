"""GET /api/platforms: the networks socialpub publishes to, from the platform catalog."""

from __future__ import annotations

from fastapi import APIRouter

from socialpub.api.main.auth import PrincipalDep
from socialpub.api.main.envelope import ERROR_RESPONSES, Envelope, ok
from socialpub.api.main.schemas.platforms import PlatformData, PlatformListData, PlatformResponse
from socialpub.config import PlatformsSettings
from socialpub.domain.errors import NotFound
from socialpub.domain.platforms import catalog

SETTINGS = PlatformsSettings
router = APIRouter(prefix="/api/platforms", tags=["platforms"], responses=ERROR_RESPONSES)


@router.get("")
def list_platforms(principal: PrincipalDep) -> Envelope[PlatformListData]:
    """Every supported network with its capabilities and limits (no workspace needed)."""
    return ok(PlatformListData(platforms=[PlatformResponse.of(p) for p in catalog().values()]))


@router.get("/{platform_id}")
def get_platform(platform_id: str, principal: PrincipalDep) -> Envelope[PlatformData]:
    """One network of the catalog."""
    platform = catalog().get(platform_id)
    if platform is None:
        raise NotFound(f"Unknown platform '{platform_id}'", details={"platforms": sorted(catalog())})
    return ok(PlatformData(platform=PlatformResponse.of(platform)))
