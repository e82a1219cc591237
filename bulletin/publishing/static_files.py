"""The static files' storage: collectstatic fingerprints each file (ManifestStaticFilesStorage) and writes its
precompressed .gz and .br variants beside it, as the publisher does for pages, so that `bulletin serve` and nginx
(gzip_static) send the stylesheets and scripts compressed without compressing them on each request."""

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage

from .storage import COMPRESSIBLE, FilesystemStorage


class PrecompressedManifestStaticFilesStorage(ManifestStaticFilesStorage):
    def post_process(self, paths, dry_run=False, **options):
        final_names = {}
        for name, hashed_name, processed in super().post_process(paths, dry_run, **options):
            if hashed_name:
                final_names[name] = hashed_name  # a stylesheet is renamed again on each pass: the last one counts
            yield name, hashed_name, processed
        if dry_run:
            return
        # collectstatic is run again by every `bulletin build`: a fingerprinted name's content never changes, so
        # variants already written are kept, and an unchanged run compresses nothing.
        variants = FilesystemStorage(self.location, durable=False)
        for hashed_name in final_names.values():
            if hashed_name.endswith(COMPRESSIBLE) and not self.exists(hashed_name + ".br"):
                with self.open(hashed_name) as file:
                    variants.write_variants(hashed_name, file.read())
