"""Django's answers are gzipped only when they carry no secret (web/middleware.py, PublicGZipMiddleware): BREACH
guesses a secret from the size of compressed answers that also reflect what the client sent."""

import gzip

import pytest
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import RequestFactory
from django.utils.cache import patch_cache_control, patch_vary_headers

from bulletin.web.middleware import PublicGZipMiddleware

PAGE = "<p>" + "The same words, over and over. " * 40 + "</p>"


def _answer(path="/search/", respond=None, accept_encoding="gzip, deflate, br"):
    request = RequestFactory().get(path, HTTP_ACCEPT_ENCODING=accept_encoding)

    def view(request):
        response = HttpResponse(PAGE)
        if respond:
            respond(request, response)
        return response

    return PublicGZipMiddleware(view)(request)


def test_a_public_answer_is_gzipped_and_says_it_varies():
    response = _answer()
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.content).decode() == PAGE


@pytest.mark.parametrize("accept_encoding", ["gzip;q=0, deflate", "br;q=1, gzip;q=0", "*;q=0", "identity, gzip;q=0.5"])
def test_a_client_that_refuses_gzip_or_prefers_identity_gets_the_answer_as_it_is(accept_encoding):
    """Django's own GZipMiddleware reads "gzip;q=0", a refusal, as acceptance; the front's rule decides here too."""
    response = _answer(accept_encoding=accept_encoding)
    assert not response.has_header("Content-Encoding") and response.content == PAGE.encode()


def _renders_a_csrf_token(request, response):
    CsrfViewMiddleware(lambda request: None).process_request(request)
    response.content = PAGE + get_token(request)


@pytest.mark.parametrize(
    "respond",
    [
        pytest.param(_renders_a_csrf_token, id="a CSRF token in the page"),
        pytest.param(lambda request, response: response.set_cookie("sessionid", "secret"), id="Set-Cookie"),
        pytest.param(lambda request, response: patch_vary_headers(response, ["Cookie"]), id="Vary: Cookie"),
        pytest.param(lambda request, response: patch_cache_control(response, private=True), id="private"),
    ],
)
def test_an_answer_that_may_carry_a_secret_is_not_compressed(respond):
    response = _answer(respond=respond)
    assert not response.has_header("Content-Encoding")
    assert response.content.startswith(PAGE.encode())


def test_nothing_under_the_admin_is_compressed():
    assert not _answer("/admin/pages/").has_header("Content-Encoding")


def test_json_is_compressed_and_files_of_other_types_are_not():
    request = RequestFactory().get("/search/search.json", HTTP_ACCEPT_ENCODING="gzip")
    assert PublicGZipMiddleware(lambda r: JsonResponse({"words": PAGE}))(request)["Content-Encoding"] == "gzip"
    pdf = HttpResponse(PAGE, content_type="application/pdf")
    assert not PublicGZipMiddleware(lambda r: pdf)(request).has_header("Content-Encoding")


def test_the_search_page_through_every_middleware_is_compressed(client, db):
    """The order of MIDDLEWARE matters: the compression comes first, so it sees the cookies the others set."""
    response = client.get("/search/?q=kyiv", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert b"</html>" in gzip.decompress(response.content)
    response = client.get("/admin/login/?next=/admin/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and not response.has_header("Content-Encoding")
    assert b"csrfmiddlewaretoken" in response.content
