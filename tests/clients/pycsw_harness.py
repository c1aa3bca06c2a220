"""pycsw 2.6.2 on loopback, for tests that make a third-party catalogue harvest tuile.

pycsw 2.6.2 pins OWSLib<0.29 while the client tests pin OWSLib 0.35, so pycsw
lives in its own venv (`target/venv-pycsw`, made by the Makefile from
tests/clients/requirements-pycsw.txt; override with PYCSW_VENV). This file has
two sides:

* imported by the tests (test venv): `PycswServer` and the `pycsw` fixture
  start `<pycsw venv>/bin/python pycsw_harness.py serve DIR` and stop it at the
  end;
* run as that script (pycsw venv, standard library + pycsw only): it binds a
  free loopback port, writes DIR/pycsw.cfg (SQLite repository in DIR,
  transactions on for 127.0.0.1 only), runs `pycsw-admin.py -c setup_db`,
  prints `READY <port>` and serves pycsw's WSGI application (pycsw/wsgi.py)
  with wsgiref until it is terminated.

Harvest: `server.harvest(source_url, resource_type)` POSTs a csw:Harvest
(`CSW` = CSW 2.0.2 source, `WMS` = a WMS's capabilities) and returns the
parsed csw:HarvestResponse. pycsw's own log is DIR/pycsw.log (server.log()).

Standalone check: `python tests/clients/pycsw_harness.py selftest WMS_URL`
harvests a WMS and lists the records (run it with the test venv's python).
"""
import os
import pathlib
import selectors
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_VENV = REPO / "target" / "venv-pycsw"

CSW = "http://www.opengis.net/cat/csw/2.0.2"
WMS = "http://www.opengis.net/wms"
WMTS = "http://www.opengis.net/wmts/1.0"
NS = {
    "csw": CSW,
    "ows": "http://www.opengis.net/ows",
    "dc": "http://purl.org/dc/elements/1.1/",
}

CONFIG = """\
[server]
home={home}
url=http://127.0.0.1:{port}/csw
mimetype=application/xml; charset=UTF-8
encoding=UTF-8
language=en-US
maxrecords=100
loglevel={loglevel}
logfile={dir}/pycsw.log
profiles=apiso
pretty_print=true

[manager]
transactions=true
allowed_ips=127.0.0.1
csw_harvest_pagesize={pagesize}

[metadata:main]
identification_title=pycsw (tuile test harness)
identification_abstract=A throw-away pycsw that harvests tuile in the client tests
identification_keywords=catalogue,test
identification_keywords_type=theme
identification_fees=None
identification_accessconstraints=None
provider_name=tuile tests
provider_url=http://127.0.0.1/
contact_name=Tests
contact_position=None
contact_address=None
contact_city=None
contact_stateorprovince=None
contact_postalcode=None
contact_country=France
contact_phone=None
contact_fax=None
contact_email=tests@example.org
contact_url=http://127.0.0.1/
contact_hours=None
contact_instructions=None
contact_role=pointOfContact

[repository]
database=sqlite:///{dir}/records.db
table=records

[metadata:inspire]
enabled=false
"""


# --------------------------------------------------------------------------
# Test side (the client-test venv: requests, lxml, pytest)
# --------------------------------------------------------------------------

class PycswServer:
    """A pycsw process on 127.0.0.1 with an empty SQLite repository."""

    def __init__(self, workdir, venv=None, pagesize=10, loglevel="INFO", start_timeout=60):
        self.dir = pathlib.Path(workdir)
        self.venv = pathlib.Path(venv or os.environ.get("PYCSW_VENV") or DEFAULT_VENV)
        self.pagesize = pagesize
        self.loglevel = loglevel
        self.start_timeout = start_timeout
        self.proc = None
        self.port = None

    @property
    def python(self):
        return self.venv / "bin" / "python"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/csw"

    def start(self):
        if not self.python.exists():
            raise RuntimeError(
                f"{self.python} is missing: make the pycsw venv "
                "(make target/venv-pycsw/.installed)")
        self.dir.mkdir(parents=True, exist_ok=True)
        self._stderr = open(self.dir / "server.err", "wb")
        self.proc = subprocess.Popen(
            [str(self.python), __file__, "serve", str(self.dir),
             "--pagesize", str(self.pagesize), "--loglevel", self.loglevel],
            stdout=subprocess.PIPE, stderr=self._stderr, stdin=subprocess.DEVNULL)
        line = self._read_line(self.start_timeout)
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"pycsw did not start ({line!r}):\n{self.log()}")
        self.port = int(line.split()[1])
        return self

    def _read_line(self, timeout):
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        try:
            if not sel.select(timeout):
                return ""
            return self.proc.stdout.readline().decode().strip()
        finally:
            sel.close()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()
        if getattr(self, "_stderr", None):
            self._stderr.close()
            self._stderr = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def log(self):
        """pycsw's log, then the server's stderr (request lines, tracebacks)."""
        out = []
        for name in ("pycsw.log", "server.err"):
            p = self.dir / name
            if p.exists():
                out.append(f"--- {name}\n" + p.read_text(errors="replace")[-20000:])
        return "\n".join(out)

    def harvest(self, source, resource_type, timeout=300):
        """POST csw:Harvest; returns the csw:HarvestResponse element.

        Raises AssertionError with pycsw's log when pycsw answers an
        ows:ExceptionReport."""
        import requests
        from lxml import etree
        from xml.sax.saxutils import escape

        body = f"""<?xml version="1.0" encoding="UTF-8"?>
<csw:Harvest xmlns:csw="{CSW}" service="CSW" version="2.0.2">
  <csw:Source>{escape(source)}</csw:Source>
  <csw:ResourceType>{escape(resource_type)}</csw:ResourceType>
</csw:Harvest>"""
        r = requests.post(self.url, data=body.encode(),
                          headers={"Content-Type": "application/xml"}, timeout=timeout)
        doc = etree.fromstring(r.content)
        if doc.tag.endswith("ExceptionReport"):
            raise AssertionError(
                f"pycsw Harvest of {source} failed:\n"
                f"{etree.tostring(doc, pretty_print=True).decode()}\n{self.log()}")
        assert doc.tag == f"{{{CSW}}}HarvestResponse", r.text
        return doc

    @staticmethod
    def harvest_summary(response):
        """(inserted, updated, deleted, [(identifier, title)]) of a HarvestResponse."""
        ns = NS

        def count(name):
            v = response.findtext(f".//csw:TransactionSummary/csw:{name}", namespaces=ns)
            return int(v) if v else 0

        brief = [(b.findtext("dc:identifier", namespaces=ns), b.findtext("dc:title", namespaces=ns))
                 for b in response.iterfind(".//csw:InsertResult/csw:BriefRecord", namespaces=ns)]
        return count("totalInserted"), count("totalUpdated"), count("totalDeleted"), brief


def pycsw_fixture():
    """A pytest fixture factory: `pycsw = pycsw_fixture()` in a test module (or
    conftest) gives each test module its own fresh pycsw."""
    import pytest

    @pytest.fixture(scope="module")
    def pycsw(tmp_path_factory):
        server = PycswServer(tmp_path_factory.mktemp("pycsw"))
        server.start()
        try:
            yield server
        finally:
            server.stop()

    return pycsw


# --------------------------------------------------------------------------
# Server side (the pycsw venv: standard library + pycsw)
# --------------------------------------------------------------------------

def serve(workdir, pagesize, loglevel):
    import signal
    import socketserver
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    workdir = pathlib.Path(workdir).resolve()

    class Server(socketserver.ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Handler(WSGIRequestHandler):
        def log_message(self, fmt, *args):  # request lines to stderr (server.err)
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))
            sys.stderr.flush()

    # Bind first (port 0: the kernel picks a free one), so that the
    # configuration can carry the URL pycsw writes in its capabilities.
    def app(environ, start_response):
        return application(environ, start_response)

    httpd = make_server("127.0.0.1", 0, app, server_class=Server, handler_class=Handler)
    port = httpd.server_address[1]

    import pycsw
    home = pathlib.Path(pycsw.__file__).resolve().parent.parent
    cfg = workdir / "pycsw.cfg"
    cfg.write_text(CONFIG.format(home=home, port=port, dir=workdir,
                                 pagesize=pagesize, loglevel=loglevel))
    admin = pathlib.Path(sys.executable).parent / "pycsw-admin.py"
    subprocess.run([sys.executable, str(admin), "-c", "setup_db", "-f", str(cfg)],
                   check=True, stdout=sys.stderr, stderr=sys.stderr)

    os.environ["PYCSW_CONFIG"] = str(cfg)
    from pycsw.wsgi import application  # noqa: E402  (after PYCSW_CONFIG)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"READY {port}", flush=True)
    # pycsw/wsgi.py prints every PATH_INFO: keep stdout (a pipe nobody reads
    # any more) out of the way.
    sys.stdout = sys.stderr
    try:
        httpd.serve_forever()
    finally:
        httpd.server_close()


def selftest(wms_url):
    """Harvest one WMS, then list what pycsw holds through OWSLib."""
    from owslib.csw import CatalogueServiceWeb

    with tempfile.TemporaryDirectory() as d, PycswServer(d) as server:
        resp = server.harvest(wms_url, WMS)
        ins, upd, dele, brief = server.harvest_summary(resp)
        print(f"harvest: inserted={ins} updated={upd} deleted={dele}")
        for ident, title in brief:
            print(f"  {ident}  {title}")
        csw = CatalogueServiceWeb(server.url, timeout=60)
        csw.getrecords2(maxrecords=100, esn="full")
        print(f"pycsw {server.url}: {csw.results['matches']} records")
        for ident, rec in csw.records.items():
            print(f"  {rec.type:8} {ident}  {rec.title}")
            for ref in rec.references:
                print(f"           {ref.get('scheme')}  {ref.get('url')}")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("dir")
    s.add_argument("--pagesize", type=int, default=10)
    s.add_argument("--loglevel", default="INFO")
    t = sub.add_parser("selftest")
    t.add_argument("wms_url")
    a = ap.parse_args()
    if a.cmd == "serve":
        serve(a.dir, a.pagesize, a.loglevel)
    else:
        selftest(a.wms_url)
