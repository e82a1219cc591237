from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "bulletin.web"
    label = "web"
    verbose_name = "Reader site"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Site

        from .middleware import SiteCacheMiddleware

        post_save.connect(SiteCacheMiddleware.forget, sender=Site, dispatch_uid="bulletin.web.site_cache")
        post_delete.connect(SiteCacheMiddleware.forget, sender=Site, dispatch_uid="bulletin.web.site_cache_delete")
