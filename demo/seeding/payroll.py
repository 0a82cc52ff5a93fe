"""Payroll runs per provider and country for the last three months (completed) and this one."""

from decimal import Decimal

from demo import data
from providers.choices import PayrollEntryStatus, PayrollRunStatus
from providers.models import EmploymentContract, PayrollEntry, PayrollRun

from .base import Upserter, add_months, at_noon, month_end


class PayrollSeeding(Upserter):
    def seed_payroll(self) -> None:
        """Runs per provider and country for the last three months (completed) and this month
        (draft), with an entry for every worker under contract in the period: paid, or failed with
        the bank's or tax office's reason; this month's scheduled, or on hold with a reason."""
        contracts = list(
            EmploymentContract.objects.filter(external_id__startswith="CON-W-", provider__in=self.providers.values())
            .select_related("worker")
            .order_by("starts_on")
        )
        specs = {spec.key: spec for spec in data.WORKERS}
        first_entry_seen: set[str] = set()
        this_month = self.today.replace(day=1)
        for offset in (-3, -2, -1, 0):
            period_start = add_months(this_month, offset)
            period_end = month_end(period_start)
            completed = offset < 0
            paid = [
                c
                for c in contracts
                if c.starts_on <= period_end
                and (c.ends_on is None or c.ends_on >= period_start)
                and c.worker.external_id in specs
            ]
            runs: dict[tuple[str, str], PayrollRun] = {}
            for contract in paid:
                worker, spec = contract.worker, specs[contract.worker.external_id]
                run_key = (spec.provider, worker.country)
                if run_key not in runs:
                    runs[run_key] = self.upsert(
                        PayrollRun,
                        {
                            "provider": self.providers[spec.provider],
                            "country": worker.country,
                            "period_start": period_start,
                            "period_end": period_end,
                        },
                        {
                            "pay_date": period_end,
                            "status": PayrollRunStatus.COMPLETED if completed else PayrollRunStatus.DRAFT,
                            "external_id": f"PR-{spec.provider.upper()}-{worker.country}-{period_start:%Y%m}",
                        },
                    )
                failure = spec.payroll_failures.get(offset, "")
                if spec.first_payroll_failed and spec.key not in first_entry_seen:
                    failure = spec.first_payroll_failed
                first_entry_seen.add(spec.key)
                if not completed:
                    status = PayrollEntryStatus.ON_HOLD if spec.payroll_hold else PayrollEntryStatus.SCHEDULED
                elif failure:
                    status = PayrollEntryStatus.FAILED
                else:
                    status = PayrollEntryStatus.PAID
                currency, gross = data.MONTHLY_GROSS[worker.country]
                gross = gross * (data.SUPPORT_PAY_FACTOR if spec.is_support else 1) * Decimal(spec.hours) / 40
                self.upsert(
                    PayrollEntry,
                    {"run": runs[run_key], "worker": worker},
                    {
                        "provider": self.providers[spec.provider],
                        "external_id": f"PE-{spec.key}-{period_start:%Y%m}",
                        "status": status,
                        "failure_reason": failure if status == PayrollEntryStatus.FAILED else "",
                        "status_reason": spec.payroll_hold if status == PayrollEntryStatus.ON_HOLD else "",
                        "paid_at": at_noon(period_end) if status == PayrollEntryStatus.PAID else None,
                        "gross_amount": gross.quantize(Decimal("0.01")),
                        "currency": currency,
                    },
                    worker_id=worker.pk,
                )
