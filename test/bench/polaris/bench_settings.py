"""Minimal Django project serving django-polaris SEP-1 and SEP-10 only: the baseline of test/bench/sep10.bench.ts.

Every value comes from the environment that start.ts sets (signing seed, JWT key, Horizon URL, host URL).
"""
import os

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench_urls"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.staticfiles",
    "rest_framework",
    "corsheaders",
    "polaris",
]
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]
CORS_ALLOW_ALL_ORIGINS = True
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("POLARIS_BENCH_DB", "/tmp/polaris-bench/db.sqlite3"),
    }
}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
STATIC_URL = "/static/"
LOGGING = {"version": 1, "disable_existing_loggers": True}

POLARIS_ACTIVE_SEPS = ["sep-1", "sep-10"]
POLARIS_LOCAL_MODE = True
POLARIS_HOST_URL = os.environ["POLARIS_HOST_URL"]
POLARIS_SIGNING_SEED = os.environ["POLARIS_SIGNING_SEED"]
POLARIS_SERVER_JWT_KEY = os.environ["POLARIS_SERVER_JWT_KEY"]
POLARIS_STELLAR_NETWORK_PASSPHRASE = os.environ["POLARIS_STELLAR_NETWORK_PASSPHRASE"]
POLARIS_HORIZON_URI = os.environ["POLARIS_HORIZON_URI"]
