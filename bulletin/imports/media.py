"""Images of an import: from the --media folder or export zip, or downloaded from where the old site had them.

Every image passes the validation of an upload (Wagtail's image field: allowed formats, WAGTAILIMAGES_MAX_UPLOAD_SIZE,
WAGTAILIMAGES_MAX_IMAGE_PIXELS, and Pillow's decompression-bomb guard set by the uploads app). Downloads go only to
the old site's host and the hosts allowed on the command line, never to a private, loopback or link-local
address unless allowed (tests serve images on 127.0.0.1), with a size and a time limit. An image that cannot be
had is reported with its reason; the story comes in without it.
"""

import ipaddress
import mimetypes
import socket
import time
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.images import get_image_model
from wagtail.images.fields import WagtailImageField

#: Seconds to connect, and for the whole download of one image.
CONNECT_TIMEOUT, DOWNLOAD_TIMEOUT = 5, 30
#: Redirects followed per image (each target is checked like the first URL).
MAX_REDIRECTS = 3
#: Where Ghost and WordPress keep uploads: a --media folder may hold what is under them, or the whole path.
_UPLOAD_ROOTS = ("wp-content/uploads/", "content/images/")


class MissingImage(Exception):
    """An image that could not be brought in; the message says why."""


def _candidates(url):
    """Relative paths where a --media folder or zip may hold the file at ``url``, most specific first."""
    path = unquote(urlsplit(url).path).lstrip("/")
    found = [path]
    for root in _UPLOAD_ROOTS:
        if root in path:
            found.append(path.split(root, 1)[1])
    found.append(PurePosixPath(path).name)
    return [p for p in dict.fromkeys(found) if p and ".." not in PurePosixPath(p).parts]


class MediaSource:
    """Finds the bytes of an image URL: in ``media`` (a folder or a zip), else by download if allowed."""

    def __init__(self, media=None, site_url="", allowed_hosts=(), allow_private=False, download=True):
        self.media = Path(media) if media else None
        self.zip = None
        if self.media and self.media.is_file():
            try:
                self.zip = zipfile.ZipFile(self.media)
            except zipfile.BadZipFile as error:
                raise ValueError(f"{media}: neither a folder nor a zip file ({error})") from None
            self.zip_names = {}
            for info in self.zip.infolist():
                self.zip_names.setdefault(info.filename, info)
        self.allowed_hosts = {h.lower() for h in allowed_hosts if h}
        self.allow_site(site_url)
        self.allow_private, self.download_allowed = allow_private, download
        self.max_bytes = settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE

    def allow_site(self, site_url):
        """Allow downloads from the old site's own host."""
        host = urlsplit(site_url).hostname
        if host:
            self.allowed_hosts.add(host.lower())

    def read(self, url):
        """(file name, bytes) of the image at ``url``; MissingImage if it cannot be had."""
        if self.media is not None:
            found = self._from_media(url)
            if found is not None:
                return found
        if urlsplit(url).scheme not in ("http", "https"):
            raise MissingImage("not in --media, and not a web address")
        if not self.download_allowed:
            raise MissingImage("not in --media (downloads are off)")
        return self._download(url)

    def _from_media(self, url):
        for relative in _candidates(url):
            if self.zip is not None:
                for prefix in ("", *(root for root in _UPLOAD_ROOTS)):
                    info = self.zip_names.get(prefix + relative)
                    if info is not None:
                        if info.file_size > self.max_bytes:
                            raise MissingImage(f"{info.filename} is larger than {self.max_bytes:,} bytes")
                        with self.zip.open(info) as member:
                            return PurePosixPath(relative).name, member.read(self.max_bytes + 1)[: self.max_bytes + 1]
                continue
            path = (self.media / relative).resolve()
            if path.is_file() and path.is_relative_to(self.media.resolve()):
                if path.stat().st_size > self.max_bytes:
                    raise MissingImage(f"{path} is larger than {self.max_bytes:,} bytes")
                return path.name, path.read_bytes()
        return None

    def _check_host(self, url):
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise MissingImage(f"not a web address: {url}")
        if host not in self.allowed_hosts:
            raise MissingImage(f"host {host} is not allowed (add it with --allow-host)")
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)}
        except OSError as error:
            raise MissingImage(f"cannot resolve {host}: {error}") from None
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global and not self.allow_private:
                raise MissingImage(f"{host} is a private or loopback address ({ip}); refused")

    def _download(self, url):
        deadline = time.monotonic() + DOWNLOAD_TIMEOUT
        for _ in range(MAX_REDIRECTS + 1):
            self._check_host(url)
            try:
                response = requests.get(
                    url, stream=True, allow_redirects=False, timeout=(CONNECT_TIMEOUT, DOWNLOAD_TIMEOUT)
                )
            except requests.RequestException as error:
                raise MissingImage(f"download failed: {error.__class__.__name__}") from None
            with response:
                if response.is_redirect:
                    url = urljoin(url, response.headers.get("location", ""))
                    continue
                if response.status_code != 200:
                    raise MissingImage(f"the server answered {response.status_code}")
                if int(response.headers.get("content-length") or 0) > self.max_bytes:
                    raise MissingImage(f"larger than {self.max_bytes:,} bytes")
                data = bytearray()
                for chunk in response.iter_content(65536):
                    data += chunk
                    if len(data) > self.max_bytes:
                        raise MissingImage(f"larger than {self.max_bytes:,} bytes")
                    if time.monotonic() > deadline:
                        raise MissingImage(f"took longer than {DOWNLOAD_TIMEOUT} s")
                name = PurePosixPath(unquote(urlsplit(url).path)).name or "image"
                if "." not in name:
                    name += mimetypes.guess_extension(response.headers.get("content-type", "").split(";")[0]) or ""
                return name, bytes(data)
        raise MissingImage("too many redirects")


def save_image(name, data, title):
    """A Wagtail image from ``data``, validated as an upload is; MissingImage with the reason if it is refused."""
    upload = SimpleUploadedFile(name[-100:], data)
    try:
        WagtailImageField().clean(upload)
    except ValidationError as error:
        raise MissingImage(" ".join(error.messages)) from None
    upload.seek(0)
    image = get_image_model()(title=title[:255] or name)
    image.file = upload
    image.save()
    return image
