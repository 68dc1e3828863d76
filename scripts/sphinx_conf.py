# Template of the sphinx conf.py that scripts/docs.py writes into _proc/docs/ (the @NAME@ fields come from
# settings.ini). Edit this file, not the generated one.
project = @PROJECT@
author = @AUTHOR@
copyright = @COPYRIGHT@
release = version = @VERSION@
html_title = project

extensions = ["myst_nb"]
nb_execution_mode = "off"                 # never run a notebook: the site shows the outputs stored in them
nb_render_markdown_format = "myst"        # show_doc's markdown (docments tables) and our anchors
nb_merge_streams = True
nb_output_stderr = "remove"               # warnings and progress bars of stored runs are noise on a page
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "**.ipynb_checkpoints", "*.json"]
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]
# No MathJax from a CDN: the site works offline. The notebooks hold no LaTeX; a stub keeps sphinx's mathjax
# extension (which myst-nb loads) from pointing at the network.
mathjax_path = "no-mathjax.js"

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["pause_nb.css"]
html_theme_options = {
    "repository_url": @GIT_URL@,
    "use_repository_button": False,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
    "extra_footer": @DESCRIPTION@,
}
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False

def _plotly_where_needed(app, pagename, templatename, context, doctree):
    "plotly.js (shipped in _static/, no CDN) is loaded only by pages that hold a figure."
    if "pause-nb-figure" in context.get("body", ""): app.add_js_file("plotly.min.js", priority=100)

def setup(app):
    app.connect("html-page-context", _plotly_where_needed)
