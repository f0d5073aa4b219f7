"""The history of every stateful record: one row per step taken (SPEC §2.3, §2.4).

One table for every app, keyed by the record's type and id, so the four-eyes rule can ask "who took a step
in this case" the same way for an assistance application, an uplift or an eco-burial subsidy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StateChange(models.Model):
    object_type = models.CharField(_("record type"), max_length=60)
    object_id = models.BigIntegerField(_("record id"))
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from state"), max_length=40, blank=True)
    to_state = models.CharField(_("to state"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    occurred_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="statechange_object")]

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id} {self.action}: {self.from_state} → {self.to_state}"
