"""Static files: compressed, with content hashes in their names, cached for ever by browsers."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Also rewrites ``import ... from "./x.js"`` in JavaScript modules to the hashed names,
    so a module and what it imports are cached and replaced together."""

    support_js_module_import_aggregation = True
