from django.db import migrations

from outstaff.dataversion import data_version_sql

# The risk board shows who changed a flag's status (the user's name): a write to a user bumps the
# versions of the clients and providers of the flags whose status they changed. The user table is
# accounts', which knows no flag, so the trigger is installed here.
USERS_FORWARD, USERS_REVERSE = data_version_sql(
    table="accounts_user",
    tenants_sql=(
        "SELECT f.client_id FROM {rows} AS r JOIN risks_riskflag AS f ON f.status_changed_by_id = r.id"
        " UNION ALL SELECT f.provider_id FROM {rows} AS r JOIN risks_riskflag AS f ON f.status_changed_by_id = r.id"
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("outstaff", "0004_data_version_bump_last"),
        ("accounts", "0004_data_version"),
        ("providers", "0012_provider_data_version"),
        ("risks", "0010_open_provider_count_index"),
    ]

    operations = [migrations.RunSQL(USERS_FORWARD, USERS_REVERSE)]
