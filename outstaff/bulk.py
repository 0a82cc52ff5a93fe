"""Bulk upsert by `external_id` (DESIGN §8): the engine every resource's `<resources>_upsert`
service runs, so workers, contracts and assignments behave alike.

Per chunk of items a resource's `BulkSpec` loads (set-based, a constant number of queries) the
existing rows the caller may change and every related object the items name; each item is then
copied onto its row with `outstaff.model_update.model_set` and validated by the very functions the
single-object service uses (the spec's `validate`, then the model's field and `clean` checks), the
rules that need the database are checked for the whole chunk at once (`validate_chunk`), and the
rows are written with one INSERT and one UPDATE per chunk. An item whose values equal the stored
ones is `unchanged`: nothing is written for it, so it moves no `updated_at`/ETag, leaves no audit
row and announces nothing.

By default good items apply and bad ones are reported; `atomic=True` applies all or nothing. An
item may carry the `etag` it last read: a stale one is a `precondition_failed` error for that item.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from .model_update import field_value_differs

BULK_LIMIT = 1000
CHUNK_SIZE = 500


@dataclass
class BulkItem:
    """One item of a call, from its raw values to what became of it."""

    index: int
    data: dict
    external_id: str
    etag: str | None = None
    instance: models.Model | None = None
    action: str = "unchanged"  # create | update | unchanged | error
    changes: dict = field(default_factory=dict)  # field -> [old, new]
    errors: dict = field(default_factory=dict)  # field -> [messages]
    code: str = ""  # error kind: invalid | precondition_failed
    before: dict = field(default_factory=dict)  # the stored values (attnames) of an existing row

    @property
    def ok(self) -> bool:
        return self.action != "error"

    def fail(self, errors, code: str = "invalid") -> None:
        if isinstance(errors, ValidationError):
            errors = errors.message_dict if hasattr(errors, "error_dict") else {"item": errors.messages}
        for name, messages in errors.items():
            messages = [messages] if isinstance(messages, str) else list(messages)
            self.errors.setdefault(name, []).extend(messages)
        self.action = "error"
        self.code = self.code or code

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "key": self.external_id,
            "action": self.action,
            "id": str(self.instance.pk) if self.instance is not None and self.ok and self.instance.pk else None,
            "changes": self.changes if self.ok else {},
            "errors": self.errors,
            "code": self.code or None,
        }


class BulkSpec:
    """What a resource tells the engine. Subclasses set `model` and `fields` (the item fields
    besides `external_id` and `etag`) and implement the hooks; every hook sees a whole chunk or
    one in-memory row, never issues a query per item."""

    model: type[models.Model]
    fields: tuple[str, ...] = ()
    # Item fields that only name a related row (e.g. `worker_external_id`); `resolve` consumes them.
    extra_fields: tuple[str, ...] = ()
    # Fields the spec derives in `validate` (e.g. a status from the dates): diffed and written like
    # item fields, never accepted from an item.
    derived_fields: tuple[str, ...] = ()
    # Fields an item must give when it creates a row.
    required_on_create: tuple[str, ...] = ()

    def existing(self, external_ids: set[str]) -> dict[str, models.Model]:
        """The caller's rows with these external ids, locked (`select_for_update`, in pk order)."""
        raise NotImplementedError

    def resolve(self, items: list[BulkItem]) -> None:
        """Replace related ids in `item.data` by objects the caller may use (one query per kind),
        or fail the item naming the field."""

    def normalize(self, data: dict) -> dict:
        """The same normalisation the single-object service applies (e.g. upper-case countries)."""
        return data

    def new_instance(self, item: BulkItem) -> models.Model:
        raise NotImplementedError

    def validate(self, instance: models.Model, item: BulkItem) -> None:
        """The single-object service's own rules for one row (raise ValidationError)."""

    def validate_chunk(self, items: list[BulkItem]) -> None:
        """Rules that need the database (uniqueness, overlaps, the screening gate), checked for
        the chunk's good items at once; fail the items that break them."""

    def after_write(self, created: list[models.Model], updated: list[BulkItem]) -> None:
        """Announce what changed (one set-based announcement), schedule follow-ups."""


def reject_unknown_fields(rows: list, known: Iterable[str]) -> None:
    """A misspelt field ("stauts") would otherwise be ignored and the item reported as unchanged:
    refuse the call, naming each unknown field by item, before anything is applied."""
    known = tuple(known)
    errors = {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[f"items.{index}"] = "Each item is an object of field values."
            continue
        for name in row:
            if name not in known:
                errors[f"items.{index}.{name}"] = f"Unknown field. Known fields: {', '.join(known)}."
    if errors:
        raise ValidationError(errors)


def _fmt(value):
    if isinstance(value, models.Model):
        return str(value.pk)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _plan_item(spec: BulkSpec, item: BulkItem, etag_for: Callable) -> None:
    data = spec.normalize(dict(item.data))
    instance = item.instance
    creating = instance is None
    if creating:
        if item.etag:
            item.fail({"etag": ["No such row to compare with; send no etag to create one."]}, "precondition_failed")
            return
        instance = spec.new_instance(item)
    elif item.etag and item.etag.strip() != etag_for(instance):
        item.fail(
            {"etag": ["The row changed since you read it (ETag mismatch). Fetch it again and retry."]},
            "precondition_failed",
        )
        return
    diffed = (*spec.fields, *spec.derived_fields)
    before = {name: getattr(instance, instance._meta.get_field(name).attname) for name in diffed}
    item.before = {} if creating else before
    for name in spec.fields:
        if name in data and (creating or field_value_differs(instance, name, data[name])):
            setattr(instance, name, data[name])
    relations = [f.name for f in instance._meta.concrete_fields if f.is_relation]
    try:
        # Field checks convert raw JSON values (dates, decimals) as a form would; foreign keys were
        # resolved within the caller's scope by the spec, so their per-row existence query is skipped.
        instance.clean_fields(exclude=relations)
        spec.validate(instance, item)
        instance.clean()
    except ValidationError as error:
        item.fail(error)
        return
    item.instance = instance
    if creating:
        item.action = "create"
        item.changes = {
            name: [None, _fmt(getattr(instance, name))]
            for name in ("external_id", *diffed)
            if getattr(instance, instance._meta.get_field(name).attname) not in (None, "")
        }
        return
    changed = {
        name: [_fmt(before[name]), _fmt(getattr(instance, instance._meta.get_field(name).attname))]
        for name in diffed
        if getattr(instance, instance._meta.get_field(name).attname) != before[name]
    }
    item.action = "update" if changed else "unchanged"
    item.changes = changed


def bulk_update_by_id(model, objects: list, fields: list[str], *, batch_size: int = 2000) -> None:
    """UPDATE … FROM (VALUES …) joined on the primary key: one statement per batch whose cost is
    linear in the rows (Django's bulk_update builds a CASE per field, quadratic in the batch and
    slow to compile for thousands of rows). Row triggers (pghistory) fire as for any update."""
    if not objects:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    pk = meta.pk
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}::{f.db_type(connection)}" for f in columns)
    names = ", ".join(quote(c) for c in [pk.column, *[f.column for f in columns]])
    row_sql = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    table = quote(meta.db_table)
    pk_column = quote(pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            batch = objects[start : start + batch_size]
            params = []
            for obj in batch:
                params.append(pk.get_db_prep_value(obj.pk, connection))
                params.extend(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns)
            # Identifiers come from the model's metadata and are quoted; every value is a parameter.
            values = ", ".join([row_sql] * len(batch))
            sql = f"UPDATE {table} AS t SET {assignments} FROM (VALUES {values}) "  # nosec B608 - see above
            sql += f"AS v({names}) WHERE t.{pk_column} = v.{pk_column}::{pk.db_type(connection)}"
            cursor.execute(sql, params)


def _write(spec: BulkSpec, items: list[BulkItem], now) -> None:
    creates = [item for item in items if item.action == "create"]
    updates = [item for item in items if item.action == "update"]
    if creates:
        spec.model.objects.bulk_create([item.instance for item in creates])
    if updates:
        # One statement for the chunk: the union of the changed fields (an untouched field is
        # written back with its own value, which changes nothing and audits nothing).
        fields = sorted({name for item in updates for name in item.changes} | {"updated_at"})
        for item in updates:
            item.instance.updated_at = now
        bulk_update_by_id(spec.model, [item.instance for item in updates], fields)


def _write_one_by_one(spec: BulkSpec, items: list[BulkItem], now, integrity_message: Callable) -> None:
    """A chunk's write hit a constraint (a concurrent change slipped past the checks): find the
    items that break it, each in its own savepoint, so the others still apply."""
    for item in items:
        if item.action not in ("create", "update"):
            continue
        try:
            with transaction.atomic():
                _write(spec, [item], now)
        except IntegrityError as error:
            item.fail(integrity_message(error))


def bulk_upsert(
    *,
    spec: BulkSpec,
    items: list,
    atomic: bool = False,
    etag_for: Callable[[models.Model], str],
    integrity_message: Callable[[IntegrityError], dict] = lambda error: {
        "item": ["Conflicts with a change saved at the same moment; send it again."]
    },
    chunk_size: int = CHUNK_SIZE,
) -> tuple[list[dict], bool]:
    """Upsert `items` (dicts of field values with an `external_id`, optionally an `etag`).
    Returns the per-item results and whether the changes were applied (False only when
    `atomic` and some item is bad: then nothing is written). Must run inside a transaction."""
    if not isinstance(items, list):
        raise ValidationError({"items": "Send a list of items."})
    if len(items) > BULK_LIMIT:
        raise ValidationError({"items": f"Send at most {BULK_LIMIT} items per call."})
    reject_unknown_fields(items, ("external_id", "etag", *spec.fields, *spec.extra_fields))
    now = timezone.now()
    max_length = spec.model._meta.get_field("external_id").max_length
    seen: dict[str, int] = {}
    all_items: list[BulkItem] = []
    for start in range(0, len(items), chunk_size):
        chunk = []
        for offset, raw in enumerate(items[start : start + chunk_size]):
            raw = dict(raw)
            external_id = "" if raw.get("external_id") is None else str(raw.pop("external_id")).strip()
            etag = raw.pop("etag", None)
            item = BulkItem(index=start + offset, data=raw, external_id=external_id, etag=etag)
            if not external_id:
                item.fail({"external_id": ["Give the external_id the row is known by in your system."]})
            elif "\x00" in external_id or len(external_id) > max_length:
                item.fail({"external_id": [f"At most {max_length} characters of plain text."]})
            elif external_id in seen:
                item.fail({"external_id": [f"Appears again in item {seen[external_id]}; send one item per row."]})
            else:
                seen[external_id] = item.index
            for name, value in raw.items():
                if isinstance(value, str) and "\x00" in value:
                    item.fail({name: ["Contains a NUL character; send plain text."]})
            chunk.append(item)
        good = [item for item in chunk if item.ok]
        existing = spec.existing({item.external_id for item in good})
        for item in good:
            item.instance = existing.get(item.external_id)
            missing = [name for name in spec.required_on_create if item.data.get(name) in (None, "")]
            if item.instance is None and missing:
                item.fail({name: ["This field is required to create a row."] for name in missing})
        spec.resolve([item for item in good if item.ok])
        for item in good:
            if item.ok:
                _plan_item(spec, item, etag_for)
        spec.validate_chunk([item for item in chunk if item.ok and item.action in ("create", "update")])
        all_items.extend(chunk)

    if atomic and any(not item.ok for item in all_items):
        return [item.as_dict() for item in all_items], False
    for start in range(0, len(all_items), chunk_size):
        chunk = [item for item in all_items[start : start + chunk_size] if item.action in ("create", "update")]
        try:
            with transaction.atomic():
                _write(spec, chunk, now)
        except IntegrityError as error:
            if atomic:
                for item in chunk:
                    item.fail(integrity_message(error))
                raise ValidationError(integrity_message(error)) from error
            _write_one_by_one(spec, chunk, now, integrity_message)
    created = [item.instance for item in all_items if item.action == "create"]
    updated = [item for item in all_items if item.action == "update"]
    if created or updated:
        spec.after_write(created, updated)
    return [item.as_dict() for item in all_items], True
