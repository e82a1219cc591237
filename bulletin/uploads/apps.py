from django.apps import AppConfig
from django.conf import settings


class UploadsConfig(AppConfig):
    name = "bulletin.uploads"
    label = "uploads"
    verbose_name = "Uploads"

    def ready(self):
        from PIL import Image

        # Wagtail refuses an upload over WAGTAILIMAGES_MAX_IMAGE_PIXELS; Pillow's own guard (a warning past its
        # limit, an error past twice that) protects renditions of images that are already stored (imported, or
        # uploaded under a higher limit). One number for both, measured in bench/image_memory.py.
        Image.MAX_IMAGE_PIXELS = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
