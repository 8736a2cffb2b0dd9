"""Model helpers shared by every app."""

from __future__ import annotations

from typing import Any, Self

from django.db import models


class SavesChangedFields(models.Model):
    """Save exactly the fields that changed since the row was read.

    A service calls a transition (which sets the state and whatever the transition body sets)
    and then ``obj.save_changes()``: the ``UPDATE`` names the changed columns, so no hand-kept
    ``update_fields`` list can drift from the transition body, and a concurrent write to another
    column of the same row is not overwritten.
    """

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Self:
        instance = super().from_db(db, field_names, values)
        # Only the columns actually loaded: reading a deferred one here would query it (and
        # ``refresh_from_db`` of a deferred field would recurse into this very method).
        instance._loaded_values = {
            field.attname: instance.__dict__[field.attname]
            for field in cls._meta.concrete_fields
            if field.attname in instance.__dict__
        }
        return instance

    def changed_fields(self) -> list[str]:
        loaded: dict[str, Any] | None = getattr(self, "_loaded_values", None)
        if loaded is None:
            return [f.attname for f in self._meta.concrete_fields if not f.primary_key]
        return [
            field.name
            for field in self._meta.concrete_fields
            if field.attname in loaded and getattr(self, field.attname) != loaded[field.attname]
        ]

    def save_changes(self) -> list[str]:
        """Save the changed fields (a new row is inserted whole); returns their names."""
        if self._state.adding or self.pk is None:
            self.save()
            changed = [f.name for f in self._meta.concrete_fields]
        else:
            changed = self.changed_fields()
            if changed:
                self.save(update_fields=changed)
        self._loaded_values = {
            f.attname: self.__dict__[f.attname]
            for f in self._meta.concrete_fields
            if f.attname in self.__dict__
        }
        return changed
