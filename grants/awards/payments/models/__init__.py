from grants.awards.payments.models.drawdown import (
    BOOK_PAYMENT,
    CANCEL_DRAWDOWN,
    CERTIFY_DRAWDOWN,
    OPEN_DRAWDOWN_STATES,
    ORDER_PAYMENT,
    PENDING_DRAWDOWN_STATES,
    REJECT_DRAWDOWN,
    REQUEST_DRAWDOWN,
    Drawdown,
    DrawdownState,
)

__all__ = [
    "BOOK_PAYMENT",
    "CANCEL_DRAWDOWN",
    "CERTIFY_DRAWDOWN",
    "OPEN_DRAWDOWN_STATES",
    "ORDER_PAYMENT",
    "PENDING_DRAWDOWN_STATES",
    "REJECT_DRAWDOWN",
    "REQUEST_DRAWDOWN",
    "Drawdown",
    "DrawdownState",
]
