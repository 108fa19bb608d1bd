"""Every script in models/ runs as a module from the repository root (`python3 -m models.x.y`):
none edits sys.path, and each one's docstring shows that command.

    python3 -m pytest models/tests/test_scripts.py -q
"""
import ast
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def python_files():
    for d, dirs, files in os.walk(os.path.join(ROOT, "models")):
        dirs[:] = [x for x in dirs if x not in ("runs", "__pycache__")]
        for f in files:
            if f.endswith(".py"):
                yield os.path.relpath(os.path.join(d, f), ROOT)


def test_nothing_in_models_edits_sys_path():
    offenders = [f for f in python_files() if re.search(r"sys\.path\.(insert|append)", open(os.path.join(ROOT, f)).read())]
    assert offenders == []


def test_every_script_documents_its_module_command():
    missing = []
    for f in python_files():
        tree = ast.parse(open(os.path.join(ROOT, f)).read())
        if not any(isinstance(n, ast.If) and "__main__" in ast.unparse(n.test) for n in tree.body):
            continue
        doc = ast.get_docstring(tree) or ""
        module = f[:-3].replace(os.sep, ".")
        if f"python3 -m {module}" not in doc or re.search(r"python3 models/", doc):
            missing.append(f)
    assert missing == []
