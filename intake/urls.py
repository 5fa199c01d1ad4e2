"""intake's pages: the public enquiry form and its confirmation link, and the coordinators'
queue and enquiry page (one URL per action on an enquiry)."""

from django.urls import path

from intake.views import federation, offers, partners, public, search, workspace, year

urlpatterns = [
    path("centres/<slug:slug>/enquiry/", public.enquiry, name="enquiry"),
    path("enquiry/confirm/<str:token>/", public.enquiry_confirm, name="enquiry-confirm"),
    path("centres/<slug:slug>/intake/", workspace.queue, name="workspace-intake"),
    # A partner's referral link, as its flyer's QR code opens it.
    path("r/<str:code>/", partners.referral, name="referral"),
    path("centres/<slug:slug>/workspace/partners/", partners.partners, name="workspace-partners"),
    path("centres/<slug:slug>/workspace/partners/<int:pk>/", partners.partner_edit, name="workspace-partner"),
    path(
        "centres/<slug:slug>/workspace/partners/<int:pk>/flyer.pdf",
        partners.partner_flyer,
        name="workspace-partner-flyer",
    ),
    path("centres/<slug:slug>/workspace/reports/", year.year_page, name="workspace-reports"),
    path("federation/figures/", federation.federation_figures, name="federation-figures"),
    path("centres/<slug:slug>/workspace/reports/list/", year.figure_list, name="workspace-report-list"),
    path("centres/<slug:slug>/workspace/search/", search.workspace_search, name="workspace-search"),
    path("centres/<slug:slug>/intake/new/", workspace.enquiry_new, name="workspace-enquiry-new"),
    path("centres/<slug:slug>/intake/<int:pk>/", workspace.enquiry_detail, name="workspace-enquiry"),
    path(
        "centres/<slug:slug>/intake/<int:pk>/transition/",
        workspace.workspace_enquiry_transition,
        name="workspace-enquiry-transition",
    ),
    path(
        "centres/<slug:slug>/intake/<int:pk>/schedule/",
        workspace.workspace_enquiry_schedule,
        name="workspace-enquiry-schedule",
    ),
    path("centres/<slug:slug>/intake/<int:pk>/note/", workspace.workspace_enquiry_note, name="workspace-enquiry-note"),
    path(
        "centres/<slug:slug>/intake/<int:pk>/assign/",
        workspace.workspace_enquiry_assign,
        name="workspace-enquiry-assign",
    ),
    path(
        "centres/<slug:slug>/intake/<int:pk>/place/", workspace.workspace_enquiry_place, name="workspace-enquiry-place"
    ),
    path("centres/<slug:slug>/intake/<int:pk>/wait/", workspace.workspace_enquiry_wait, name="workspace-enquiry-wait"),
    # A freed place offered to who waits: the offer's own page, and the group's free places.
    path("offer/<str:token>/", offers.place_offer, name="place-offer"),
    path("centres/<slug:slug>/workspace/groups/<int:pk>/places/", offers.group_places, name="workspace-group-places"),
    path(
        "centres/<slug:slug>/workspace/groups/<int:pk>/places/offer/",
        offers.group_place_offer,
        name="workspace-group-place-offer",
    ),
]
