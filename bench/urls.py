from django.urls import path

from .baseline import baseline_list

# Mounted by outstaff.urls only when settings.BENCH_BASELINE_VIEWS is on.
urlpatterns = [path("<slug:resource>/", baseline_list, name="bench-baseline")]
