"""Building blocks shared by the grants admin modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_fsm_log.admin import StateLogInline

from budgets.admin import ReadOnlyAdminMixin
from core.errors import DomainError

ServiceCall = Callable[[Any, Any], Any]


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = False


class HistoryInline(StateLogInline):
    """The django-fsm-log state history (who, when, from, to, comment); never editable."""

    verbose_name = _("state change")
    verbose_name_plural = _("state history")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A read-only admin whose actions run one service per selected object."""

    #: How a refused object is named in the error message (a reference or file number).
    object_label_field = "pk"
    #: The order in which selected objects are processed.
    action_ordering: tuple[str, ...] = ("pk",)

    def run_service(
        self, request: HttpRequest, queryset: QuerySet[Any], call: ServiceCall, step: Any
    ) -> None:
        """Run ``call(obj, request.user)`` per object; report each refusal with its label."""
        done = 0
        for obj in queryset.order_by(*self.action_ordering):
            try:
                call(obj, request.user)
            except DomainError as exc:  # AccessDenied included
                self.message_user(
                    request, f"{self._label(obj)}: {' '.join(exc.messages)}", level=messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                _("“%(step)s” done for %(count)d %(items)s.")
                % {"step": step, "count": done, "items": model_ngettext(self.opts, done)},
                level=messages.SUCCESS,
            )

    def _label(self, obj: Model) -> str:
        value = obj
        for part in self.object_label_field.split("__"):
            value = getattr(value, part)
        return str(value)


def service_action(
    name: str, description: Any, service: Callable[..., Any], **extra: Callable[[Any], Any]
) -> Callable[..., None]:
    """An admin action running ``service(<kwarg>=obj, by=user, **extra)`` for each selected object.

    The object is passed under the model's name (``application=``, ``drawdown=``); ``extra``
    maps further keyword arguments to functions of the object, for steps whose input has a
    sensible default (the proposed instalments).
    """

    def action(modeladmin: ServiceActionAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        kwarg = queryset.model._meta.model_name

        def call(obj: Any, user: Any) -> Any:
            return service(**{kwarg: obj}, by=user, **{k: f(obj) for k, f in extra.items()})

        modeladmin.run_service(request, queryset, call, description)

    action.__name__ = name
    return admin.action(description=description)(action)
