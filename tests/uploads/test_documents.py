"""Uploaded documents cannot act as pages of the site (issue 12, finding 1): only allowed types are accepted,
their content must match their name, and every document is sent as a download with a CSP that runs nothing."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import Collection

from bulletin.newsroom import roles

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/admin/users/add/")</script></svg>'
HTML = b"<!doctype html><html><script src=evil.js></script></html>"
JS = b'fetch("/admin/users/add/", {method: "POST"})'
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def csrf_client(role):
    """A client that enforces CSRF, as a browser session does, signed in as a new user of ``role``."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(f"{role.lower()}-uploader", password="not-used-12345")
    roles.assign_role(user, role)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def upload(client, name, content, content_type="application/octet-stream"):
    """Upload ``content`` as a document named ``name`` through the admin's add form, with its CSRF token."""
    url = reverse("wagtaildocs:add")
    form = client.get(url)
    assert form.status_code == 200
    return client.post(
        url,
        {
            "csrfmiddlewaretoken": form.cookies["csrftoken"].value
            if "csrftoken" in form.cookies
            else client.cookies["csrftoken"].value,
            "title": name,
            "file": SimpleUploadedFile(name, content, content_type),
            "collection": Collection.get_first_root_node().pk,
        },
    )


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("evil.svg", SVG, "image/svg+xml"),
        ("evil.html", HTML, "text/html"),
        ("evil.htm", HTML, "text/html"),
        ("evil.xhtml", HTML, "application/xhtml+xml"),
        ("evil.js", JS, "text/javascript"),
        ("evil.mjs", JS, "text/javascript"),
        ("evil.xml", SVG, "application/xml"),
    ],
)
@pytest.mark.parametrize("role", [roles.EDITORS, roles.ADMINS])
def test_active_content_is_refused_at_upload(role, name, content, content_type):
    response = upload(csrf_client(role), name, content, content_type)
    assert response.status_code == 200, "the form should come back with an error, not save"
    assert "file" in response.context["form"].errors
    assert "not allowed" in str(response.context["form"].errors["file"])
    assert not Document.objects.filter(title=name).exists()


@pytest.mark.parametrize(
    "name, content", [("report.pdf", HTML), ("figures.docx", SVG), ("data.csv", HTML), ("notes.txt", SVG)]
)
def test_content_must_match_the_extension(name, content):
    response = upload(csrf_client(roles.EDITORS), name, content)
    assert response.status_code == 200
    assert "not" in str(response.context["form"].errors["file"])
    assert not Document.objects.filter(title=name).exists()


def test_editor_uploads_a_real_pdf():
    response = upload(csrf_client(roles.EDITORS), "ruling.pdf", PDF, "application/pdf")
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert Document.objects.filter(title="ruling.pdf").exists()


def test_contributors_and_authors_may_not_upload_documents():
    for role in (roles.CONTRIBUTORS, roles.AUTHORS):
        response = csrf_client(role).get(reverse("wagtaildocs:add"))
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home"), role


@pytest.fixture
def hostile_document(db):
    """An SVG with a script, stored before the allow-list existed (so never checked by the form)."""
    document = Document(title="old evil")
    document.file.save("evil.svg", ContentFile(SVG), save=False)
    document.save()
    return document


def test_stored_hostile_document_downloads_with_a_csp_that_runs_nothing(client_for, hostile_document):
    client = client_for(roles.ADMINS)
    response = client.get(hostile_document.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pdf_downloads_too(client_for):
    document = Document(title="ruling")
    document.file.save("ruling.pdf", ContentFile(PDF), save=False)
    document.save()
    response = client_for(roles.ADMINS).get(document.url)
    assert response["Content-Disposition"].startswith("attachment")


def test_media_route_sends_uploads_as_downloads(client_for, hostile_document):
    """/media/ through Django (no front before it): the same headers as the front and nginx send."""
    client = client_for(roles.ADMINS)
    response = client.get("/media/" + hostile_document.file.name)
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_media_route_shows_raster_images_inline(client):
    import io

    from django.core.files.storage import default_storage
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (2, 2)).save(png, "PNG")
    name = default_storage.save("images/inline-test.png", ContentFile(png.getvalue()))
    response = client.get("/media/" + name)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert not response.get("Content-Disposition", "").startswith("attachment")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
