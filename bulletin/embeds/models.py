"""What Bulletin keeps of an embed beyond Wagtail's Embed row: its thumbnail as a file of our own, and its date."""

from django.db import models
from wagtail.embeds.models import Embed


class EmbedSnapshot(models.Model):
    """The local copy of an embed's thumbnail (readers' browsers never fetch the provider's), and when the post
    was published where the provider says so (Telegram does; oEmbed has no such field)."""

    embed = models.OneToOneField(Embed, on_delete=models.CASCADE, related_name="snapshot")
    thumbnail = models.FileField(upload_to="embeds", blank=True)
    thumbnail_width = models.PositiveIntegerField(null=True, blank=True)
    thumbnail_height = models.PositiveIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.embed.url
