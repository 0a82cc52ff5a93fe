from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.views import View

from outstaff.views import ActorRequiredMixin

from .forms import ThrottledAuthenticationForm
from .selectors import ACTIVE_ORG_SESSION_KEY, membership_list_for_user


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


class SwitchOrganizationView(ActorRequiredMixin, View):
    def post(self, request):
        wanted = request.POST.get("organization", "")
        if any(str(m.organization_id) == wanted for m in membership_list_for_user(user=request.user)):
            request.session[ACTIVE_ORG_SESSION_KEY] = wanted
        else:
            messages.error(request, "You are not a member of that organization.")
        return redirect("home")
