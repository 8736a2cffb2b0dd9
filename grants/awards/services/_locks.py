"""The row lock every grant use case takes first (a fixed order keeps them free of deadlocks)."""

from grants.awards.models import Grant


def locked_grant(grant_id: int) -> Grant:
    return Grant.objects.select_for_update(of=("self",)).select_related("office").get(pk=grant_id)
