"""A second factor is access (DESIGN §9): a TOTP device confirmed or removed by any path — the
two-factor pages, the Django admin's django-otp screens, a cascade — leaves a labelled version of
its user (`two_factor.enrolled` / `two_factor.removed`) with who, when, channel and request. The
device row and its secret are never copied."""

import pghistory
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User


def _record(device: TOTPDevice, label: str) -> None:
    user = User.objects.filter(pk=device.user_id).first()
    if user is not None:  # a user being deleted takes their devices with them: nothing to label
        pghistory.create_event(user, label=label)


@receiver(pre_save, sender=TOTPDevice, dispatch_uid="accounts.totp_was_confirmed")
def _remember_whether_confirmed(sender, instance: TOTPDevice, raw=False, **kwargs) -> None:
    instance._was_confirmed = bool(
        instance.pk and not raw and TOTPDevice.objects.filter(pk=instance.pk, confirmed=True).exists()
    )


@receiver(post_save, sender=TOTPDevice, dispatch_uid="accounts.totp_enrolled")
def _enrolled(sender, instance: TOTPDevice, raw=False, **kwargs) -> None:
    if not raw and instance.confirmed and not getattr(instance, "_was_confirmed", False):
        _record(instance, "two_factor.enrolled")


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="accounts.totp_removed")
def _removed(sender, instance: TOTPDevice, **kwargs) -> None:
    if instance.confirmed:
        _record(instance, "two_factor.removed")
