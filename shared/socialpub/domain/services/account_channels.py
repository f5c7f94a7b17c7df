"""The channels an account can post in, read from the network for the user to pick a post's ``channel``
setting (Slack's channel ids, which its users do not see): one page at a time, with the network's cursor.

Only networks whose publisher module lists channels answer (the others are refused as bad input, before
any token is opened). The account is read in the caller's workspace (another's is not found), its token
used as for publishing; the network's refusals come back as the API's errors: a refused token marks the
account for a reconnect (409 ACCOUNT_EXPIRED), an outage is 503, any other refusal 400 NETWORK_REJECTED.
"""

from __future__ import annotations

from socialpub.domain.accounts import AccountExpired, NetworkRejected, NetworkUnavailable
from socialpub.domain.channels import ChannelLister, ChannelPage
from socialpub.domain.errors import InvalidInput
from socialpub.domain.publishing import NeedsReconnect, PublishFailure, Retryable
from socialpub.domain.services.accounts import AccountDeps, get_account, mark_needs_reconnect, usable_access_token

DEFAULT_LIMIT = 100
MAX_LIMIT = 200


def list_channels(
    deps: AccountDeps,
    lister: ChannelLister,
    workspace_id: str,
    acc_id: str,
    *,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> ChannelPage:
    account = get_account(deps, workspace_id, acc_id)
    reader = lister(account.platform)
    if reader is None:
        raise InvalidInput(
            f"{account.platform} accounts have no channel list: their posts name no channel",
            details={"account_id": acc_id, "platform": account.platform},
        )
    token = usable_access_token(deps, workspace_id, acc_id, read=account)
    try:
        return reader(token, cursor or None, min(max(limit, 1), MAX_LIMIT))
    except NeedsReconnect as refused:
        mark_needs_reconnect(deps, workspace_id, acc_id, token=token, reason=refused.message)
        raise AccountExpired(refused.message, details={"account_id": acc_id}) from None
    except Retryable as failed:
        raise NetworkUnavailable(failed.message, details={"account_id": acc_id}) from None
    except PublishFailure as refused:
        raise NetworkRejected(
            refused.message, details={"account_id": acc_id, "network_message": refused.network_message}
        ) from None
