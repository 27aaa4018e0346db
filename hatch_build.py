"""Build hook: generate the protobuf and gRPC modules from ``proto/`` into ``waypost/_proto``.

Generated code is produced by the build, never edited or committed. protoc writes imports as
``from runme.parser.v1 import ...``; they are rewritten to ``waypost._proto.runme...`` so the
modules live inside the package (the proto packages and file names, which the wire and reflection
see, stay Runme's and Foyle's).
"""

from __future__ import annotations

import re
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

_IMPORT = re.compile(r"^(from|import) (runme|foyle)(\.)", re.MULTILINE)


def generate(root: Path) -> Path:
    from grpc_tools import protoc

    source = root / "proto"
    target = root / "src" / "waypost" / "_proto"
    target.mkdir(parents=True, exist_ok=True)
    protos = sorted(str(p.relative_to(source)) for p in source.rglob("*.proto"))
    include = Path(protoc.__file__).parent / "_proto"
    args = ["protoc", f"-I{source}", f"-I{include}", f"--python_out={target}",
            f"--pyi_out={target}", f"--grpc_python_out={target}", *protos]  # fmt: skip
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed on " + ", ".join(protos))
    for path in target.rglob("*.py*"):
        if path.suffix not in {".py", ".pyi"}:  # never the bytecode of an earlier import
            continue
        text = path.read_text()
        fixed = _IMPORT.sub(r"\1 waypost._proto.\2\3", text)
        if fixed != text:
            path.write_text(fixed)
    for directory in [target, *[p for p in target.rglob("*") if p.is_dir()]]:
        (directory / "__init__.py").touch()
    return target


class ProtoBuildHook(BuildHookInterface):
    PLUGIN_NAME = "protos"

    def initialize(self, version: str, build_data: dict) -> None:
        generate(Path(self.root))
        build_data.setdefault("artifacts", []).append("src/waypost/_proto/")
