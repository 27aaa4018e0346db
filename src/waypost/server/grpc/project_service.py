"""``runme.project.v1.ProjectService``: the walk over a project, streamed as Runme's load events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc

from waypost._proto.runme.project.v1 import project_pb2 as pb
from waypost._proto.runme.project.v1 import project_pb2_grpc
from waypost.errors import WaypostError
from waypost.project import open_project, read_notebook
from waypost.project.discovery import DEFAULT_IGNORES
from waypost.server.paths import Confinement

__all__ = ["ProjectService"]


class ProjectService(project_pb2_grpc.ProjectServiceServicer):
    def __init__(self, confinement: Confinement) -> None:
        self.confinement = confinement

    def Load(
        self, request: pb.LoadRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.LoadResponse]:
        try:
            if request.WhichOneof("kind") == "file":
                path = self.confinement.resolve(request.file.path, must_exist=True)
                project = open_project(filename=str(path))
            else:
                options = request.directory
                root = self.confinement.resolve(options.path or ".", must_exist=True)
                patterns = tuple(options.ignore_file_patterns) or DEFAULT_IGNORES
                project = open_project(
                    project=str(root),
                    use_gitignore=not options.skip_gitignore,
                    ignore_patterns=patterns,
                )
        except WaypostError as exc:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        yield pb.LoadResponse(
            type=pb.LOAD_EVENT_TYPE_STARTED_WALK, started_walk=pb.LoadEventStartedWalk()
        )
        files: list[Path] = []
        for path in project.files():
            files.append(path)
            yield pb.LoadResponse(
                type=pb.LOAD_EVENT_TYPE_FOUND_FILE, found_file=pb.LoadEventFoundFile(path=str(path))
            )
        yield pb.LoadResponse(
            type=pb.LOAD_EVENT_TYPE_FINISHED_WALK, finished_walk=pb.LoadEventFinishedWalk()
        )
        for path in files:
            yield from self._tasks(path)

    def _tasks(self, path: Path) -> Iterator[pb.LoadResponse]:
        yield pb.LoadResponse(
            type=pb.LOAD_EVENT_TYPE_STARTED_PARSING_DOC,
            started_parsing_doc=pb.LoadEventStartedParsingDoc(path=str(path)),
        )
        try:
            notebook = read_notebook(path)
        except WaypostError as exc:
            yield pb.LoadResponse(
                type=pb.LOAD_EVENT_TYPE_ERROR, error=pb.LoadEventError(error_message=str(exc))
            )
            return
        yield pb.LoadResponse(
            type=pb.LOAD_EVENT_TYPE_FINISHED_PARSING_DOC,
            finished_parsing_doc=pb.LoadEventFinishedParsingDoc(path=str(path)),
        )
        if notebook.frontmatter is not None and notebook.frontmatter.session_id:
            return
        for cell in notebook.code_cells:
            yield pb.LoadResponse(
                type=pb.LOAD_EVENT_TYPE_FOUND_TASK,
                found_task=pb.LoadEventFoundTask(
                    document_path=str(path),
                    id=cell.id or "",
                    name=cell.name,
                    is_name_generated=cell.name_generated,
                ),
            )
