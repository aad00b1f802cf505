"""What this app provides at other apps' extension points (core/extension_points.py); each
module registers its providers when imported, from the app's ``AppConfig.ready``."""
