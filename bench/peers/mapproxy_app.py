"""WSGI entry point of the MapProxy peer.

    MAPPROXY_CONFIG=.../mapproxy.yaml gunicorn --pythonpath bench/peers mapproxy_app:application
"""
import os

from mapproxy.wsgiapp import make_wsgi_app

application = make_wsgi_app(os.environ["MAPPROXY_CONFIG"])
