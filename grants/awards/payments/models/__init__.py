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
from grants.awards.payments.models.run import (
    CANCEL_PAYMENT_RUN,
    CREATE_PAYMENT_RUN,
    EXECUTE_PAYMENT_RUN,
    PaymentRun,
    PaymentRunItem,
    PaymentRunState,
)

__all__ = [
    "BOOK_PAYMENT",
    "CANCEL_DRAWDOWN",
    "CANCEL_PAYMENT_RUN",
    "CERTIFY_DRAWDOWN",
    "CREATE_PAYMENT_RUN",
    "EXECUTE_PAYMENT_RUN",
    "OPEN_DRAWDOWN_STATES",
    "ORDER_PAYMENT",
    "PENDING_DRAWDOWN_STATES",
    "REJECT_DRAWDOWN",
    "REQUEST_DRAWDOWN",
    "Drawdown",
    "DrawdownState",
    "PaymentRun",
    "PaymentRunItem",
    "PaymentRunState",
]
