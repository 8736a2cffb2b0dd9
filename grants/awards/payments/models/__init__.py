from grants.awards.payments.models.drawdown import OPEN_DRAWDOWN_STATES, Drawdown, DrawdownState

__all__ = ["OPEN_DRAWDOWN_STATES", "Drawdown", "DrawdownState"]
