"""LinkedIn organisation pages, connected as their own network (``linkedin_page``) beside the member.

The member signs in with LinkedIn's OAuth (the same authorization and token endpoints as the member's
network, learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow) asking for
w_organization_social, r_organization_social and rw_organization_admin. The pages they administer are
read at connect from ``GET /v2/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED``
(learn.microsoft.com/linkedin/marketing/community-management/organizations/organization-access-control-by-role),
each element with its ``organization`` URN and, with the projection ``organization~(...)``, the
organisation's ``id``, ``localizedName`` and ``vanityName``. Each member administers two pages here.
Reading the ACLs needs rw_organization_admin (else 403, as LinkedIn answers).

Posting, uploads, comments and statistics are LinkedIn's own endpoints (linkedin.py): a call with this
network's token is kept as this network's (faults, posts, figures).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatorState, number_of

NETWORK = "linkedin_page"
PAGES = ("Acme Robotics", "Acme Labs")
# The Posts API's "Permissions": an organization's post needs w_organization_social (checked by the posts
# route of linkedin.py, which both networks share).
PUBLISH_SCOPES: tuple[str, ...] = ("w_organization_social",)

SIGN_IN = SignIn(
    network=NETWORK,
    name="LinkedIn Page",
    docs="https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow",
    api="https://api.linkedin.com/rest",
    authorization_url="https://www.linkedin.com/oauth/v2/authorization",
    token_url="https://www.linkedin.com/oauth/v2/accessToken",
    access_token_ttl=5_184_000,
    revoke_url="https://www.linkedin.com/oauth/v2/revoke",
    unauthorized={
        "status": 401,
        "serviceErrorCode": 65600,
        "code": "INVALID_ACCESS_TOKEN",
        "message": "Invalid access token",
    },
    profile=Profile(
        url="https://api.linkedin.com/v2/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED",
        choices="elements",
        fields={
            "id": "organization~.id",
            "name": "organization~.localizedName",
            "username": "organization~.vanityName",
        },
    ),
)


def organization_ids(user: str) -> list[str]:
    """The ids of the pages ``user`` administers."""
    return [str(int(number_of(NETWORK, user, page)[:8]) + 10_000_000) for page in PAGES]


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()

    @api.get("/api.linkedin.com/v2/organizationAcls")
    async def organization_acls(request: Request) -> Response:
        family = state.bearer(request, NETWORK)
        if family is None:
            return JSONResponse(SIGN_IN.unauthorized, status_code=401)
        if request.query_params.get("q") != "roleAssignee":
            return JSONResponse({"status": 400, "message": "Invalid finder", "code": "ILLEGAL_ARGUMENT"}, 400)
        if "rw_organization_admin" not in family.scope.split():
            return JSONResponse(
                {
                    "status": 403,
                    "serviceErrorCode": 100,
                    "code": "ACCESS_DENIED",
                    "message": "Not enough permissions to access: organizationAcls.FINDER-roleAssignee",
                },
                status_code=403,
            )
        member = f"urn:li:person:{number_of('linkedin', family.user, '')}"
        elements = []
        for name, org in zip(PAGES, organization_ids(family.user), strict=True):
            elements.append(
                {
                    "roleAssignee": member,
                    "role": "ADMINISTRATOR",
                    "state": "APPROVED",
                    "organization": f"urn:li:organization:{org}",
                    "organization~": {
                        "id": int(org),
                        "localizedName": name,
                        "vanityName": name.lower().replace(" ", "-"),
                    },
                }
            )
        return JSONResponse({"elements": elements, "paging": {"count": 10, "start": 0, "total": len(elements)}})

    return api
