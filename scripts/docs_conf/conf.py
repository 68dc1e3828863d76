# The documentation site's sphinx configuration: scripts/docs.py runs `sphinx -c scripts/docs_conf` on the notebooks it
# processed into _proc/docs/. The project's metadata comes from settings.ini, as nbdev's own would.
import configparser, pathlib, shutil
import plotly

_cp = configparser.ConfigParser()
_cp.read(pathlib.Path(__file__).resolve().parents[2]/"settings.ini")
_s = _cp["DEFAULT"]
project, author, copyright, release = _s["title"], _s["author"], _s["copyright"], _s["version"]
version, html_title = release, project

extensions = ["myst_nb", "sphinx.ext.githubpages"]    # githubpages: the .nojekyll file
nb_execution_mode = "off"                 # never run a notebook: the site shows the outputs stored in them
nb_render_markdown_format = "myst"        # show_doc's markdown (docments tables) and nbdev's anchors
nb_merge_streams = True
nb_output_stderr = "remove"               # warnings and progress bars of stored runs are noise on a page
myst_enable_extensions = ["colon_fence", "attrs_inline"]   # attrs_inline: quarto's `[x](url){target="_blank"}`
myst_heading_anchors = 3
myst_all_links_external = True            # links are written as the site has them: nbdev's `data.html#extract_answer`
exclude_patterns = ["_build", "**.ipynb_checkpoints", "*.json"]
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]

html_theme = "sphinx_book_theme"
html_theme_options = {"use_repository_button": False, "use_download_button": False, "use_fullscreen_button": False,
                      "show_toc_level": 2, "home_page_in_toc": True, "navigation_with_keys": False,
                      "extra_footer": _s["description"]}
html_last_updated_fmt = None
html_copy_source = html_show_sourcelink = False

def _plotly_where_needed(app, pagename, templatename, context, doctree):
    "plotly.js (shipped in _static/, no CDN) is loaded only by pages that hold a figure."
    if "pause-nb-figure" in context.get("body", ""): app.add_js_file("plotly.min.js", priority=100)

def _ship_plotly(app, exc):
    if exc is None: shutil.copy(pathlib.Path(plotly.__file__).parent/"package_data"/"plotly.min.js", pathlib.Path(app.outdir)/"_static")

def setup(app):
    app.connect("html-page-context", _plotly_where_needed)
    app.connect("build-finished", _ship_plotly)
