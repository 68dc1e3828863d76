"""pause_nb: pause tokens for language models.

Written by hand (nbdev_export only rewrites its `__version__` line, from settings.ini). `import pause_nb` stays light (no torch):
the pause model registers with transformers' Auto classes (`AutoConfig`, `AutoModelForCausalLM`) the moment those are
imported, so `import pause_nb; AutoModelForCausalLM.from_pretrained(saved_pause_model)` works in either import order,
without paying ~5 s of torch and model code in commands that never load a model (the injector, the report).
"""
__version__ = "0.1.0"

import importlib, importlib.abc, sys

_CONFIG_AUTO, _MODEL_AUTO = "transformers.models.auto.configuration_auto", "transformers.models.auto.modeling_auto"

def _register() -> None:
    "Import `pause_nb.model`, whose last lines register the pause config and model with the Auto classes."
    importlib.import_module("pause_nb.model")

def _half_loaded(name: str) -> bool:
    "Whether a transformers module other than `name` is still executing its body (importing from it now fails)."
    return any(getattr(getattr(m, "__spec__", None), "_initializing", False)
               for n, m in list(sys.modules.items()) if n.startswith("transformers.") and n != name)

class _RegisterOnAutoImport(importlib.abc.MetaPathFinder):
    "Loads nothing itself: when transformers' Auto modules finish loading, registers the pause model."
    def find_spec(self, name, path, target=None):
        if name not in (_CONFIG_AUTO, _MODEL_AUTO): return None
        if name == _MODEL_AUTO: sys.meta_path.remove(self)          # the last one needed
        spec = self._spec(name, path)
        if spec is None or spec.loader is None: return spec
        run = spec.loader.exec_module
        def exec_then_register(module):
            run(module)
            # AutoConfig alone (no model module yet): register now. While the model module (or another transformers
            # module, such as modeling_utils under `from transformers import Trainer`) imports the config module, it is
            # half-loaded: wait for the model module, or pause_nb.model's own imports from transformers fail.
            if name == _MODEL_AUTO or (_MODEL_AUTO not in sys.modules and not _half_loaded(name)): _register()
        spec.loader.exec_module = exec_then_register
        return spec

    def _spec(self, name, path):
        "The spec the other finders give `name`."
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"): continue
            spec = finder.find_spec(name, path)
            if spec is not None: return spec
        return None

if _CONFIG_AUTO in sys.modules: _register()       # transformers' Auto classes are already in use
elif not any(isinstance(f, _RegisterOnAutoImport) for f in sys.meta_path): sys.meta_path.insert(0, _RegisterOnAutoImport())
