from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.choices import ALL_SCOPE_STRINGS
from accounts.models import Organization
from accounts.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create an API key for an organization and print it once (only its hash is stored). "
        "The key alone goes to stdout, so `KEY=$(manage.py create_api_key ...)` works."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization slug.")
        parser.add_argument("--name", required=True, help="What the key is for, e.g. 'Workday sync'.")
        parser.add_argument(
            "--scopes",
            nargs="+",
            required=True,
            metavar="SCOPE",
            help=f"One or more of: {' '.join(ALL_SCOPE_STRINGS)}.",
        )

    def handle(self, *args, org, name, scopes, **options):
        unknown = sorted(set(scopes) - set(ALL_SCOPE_STRINGS))
        if unknown:
            raise CommandError(f"Unknown scope(s): {', '.join(unknown)}. Valid scopes: {', '.join(ALL_SCOPE_STRINGS)}")
        try:
            organization = Organization.objects.get(slug=org)
        except Organization.DoesNotExist as error:
            raise CommandError(f"No organization with slug {org!r}.") from error
        try:
            api_key, raw_key = api_key_create(organization=organization, name=name, scopes=scopes)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stderr.write(
            f"Created API key {api_key.name!r} for {organization} with scopes {' '.join(api_key.scopes)}. "
            "Store it now; it is not shown again:"
        )
        self.stdout.write(raw_key)
