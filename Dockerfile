# Production image: gunicorn (gthread) serving outstaff.wsgi; the same image runs the Celery worker
# and beat (see docker-compose.yml). Static files are collected at build time and served by whitenoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=outstaff.settings.production

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# collectstatic needs settings but no database or real secret; the production settings refuse a key
# written in the repository, so a random one is made for this step and never leaves it.
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v 0 \
 && useradd --system --uid 10001 --home-dir /app outstaff \
 && mkdir -p var/celery-broker \
 && chown -R outstaff var

USER outstaff
EXPOSE 8000

CMD ["sh", "-c", "gunicorn outstaff.wsgi --bind 0.0.0.0:8000 --worker-class gthread --threads ${GUNICORN_THREADS:-4} --access-logfile -"]
