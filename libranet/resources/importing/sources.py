"""Where the files a batch names are read: a folder or a ZIP archive, never outside it."""

import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.utils.translation import gettext as _

from .base import (
    MAX_ARCHIVE_MEMBERS,
    MAX_FILE_BYTES,
    MAX_RATIO,
    MAX_UNPACKED_BYTES,
    RATIO_CHECKED_ABOVE,
    ImportFileError,
    megabytes,
)


def _path_error(path: str) -> ImportFileError:
    return ImportFileError(
        _("“{path}” is not a path inside the folder or archive of files.").format(path=path)
    )


def _relative(path: str) -> str:
    """A path inside the batch's files, normalized; absolute paths and ".." are refused (zip
    slip: a member or a row must never reach outside)."""
    text = path.strip().replace("\\", "/")
    parts = [p for p in PurePosixPath(text).parts if p not in ("", ".")]
    if (
        not parts
        or text.startswith("/")
        or ".." in parts
        or re.match(r"^[A-Za-z]:", text)
        or any("\x00" in p for p in parts)
    ):
        raise _path_error(path)
    return "/".join(parts)


class FileSource:
    """Where the files a batch names are read from."""

    def open(self, path: str) -> IO[bytes]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class FolderSource(FileSource):
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ImportFileError(_("{path} is not a folder.").format(path=root))

    def open(self, path: str) -> IO[bytes]:
        target = (self.root / _relative(path)).resolve()
        # A symbolic link inside the folder must not lead out of it either.
        if not target.is_relative_to(self.root):
            raise _path_error(path)
        if not target.is_file():
            raise ImportFileError(_("There is no file “{path}”.").format(path=path))
        if target.stat().st_size > MAX_FILE_BYTES:
            raise ImportFileError(
                _("“{path}” is larger than {limit} MB.").format(
                    path=path, limit=megabytes(MAX_FILE_BYTES)
                )
            )
        return target.open("rb")


class ZipSource(FileSource):
    """A ZIP archive, checked whole before any member is read: no member may point outside
    (absolute paths, ".."), nor unpack to more than the limits (zip bombs)."""

    def __init__(self, archive: IO[bytes] | Path | str) -> None:
        try:
            self.zip = zipfile.ZipFile(archive)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportFileError(_("The archive of files is not a ZIP archive.")) from exc
        members = self.zip.infolist()
        try:
            if len(members) > MAX_ARCHIVE_MEMBERS:
                raise ImportFileError(
                    _("The archive has more than {count} files.").format(count=MAX_ARCHIVE_MEMBERS)
                )
            self.members: dict[str, zipfile.ZipInfo] = {}
            for member in members:
                try:
                    name = _relative(member.filename)
                except ImportFileError:
                    raise ImportFileError(
                        _("The archive holds an unsafe path “{path}”; it is refused.").format(
                            path=member.filename
                        )
                    ) from None
                if member.is_dir():
                    continue
                if member.file_size > RATIO_CHECKED_ABOVE and member.file_size > MAX_RATIO * max(
                    member.compress_size, 1
                ):
                    raise ImportFileError(
                        _(
                            "“{path}” unpacks to {ratio} times its packed size; the archive looks "
                            "like a zip bomb and is refused."
                        ).format(
                            path=member.filename,
                            ratio=member.file_size // max(member.compress_size, 1),
                        )
                    )
                self.members[name] = member
            if sum(m.file_size for m in self.members.values()) > MAX_UNPACKED_BYTES:
                raise ImportFileError(_("The archive is too large once unpacked; split it."))
        except ImportFileError:
            self.zip.close()
            raise

    def open(self, path: str) -> IO[bytes]:
        member = self.members.get(_relative(path))
        if member is None:
            raise ImportFileError(_("The archive holds no file “{path}”.").format(path=path))
        if member.file_size > MAX_FILE_BYTES:
            raise ImportFileError(
                _("“{path}” is larger than {limit} MB.").format(
                    path=path, limit=megabytes(MAX_FILE_BYTES)
                )
            )
        if member.flag_bits & 0x1:
            raise ImportFileError(_("“{path}” is encrypted in the archive.").format(path=path))
        return self.zip.open(member)

    def close(self) -> None:
        self.zip.close()


def open_file_source(location: Any) -> FileSource:
    """A folder (a path to a directory) or a ZIP archive (a path or an open file)."""
    if isinstance(location, (str, Path)) and Path(location).is_dir():
        return FolderSource(location)
    if isinstance(location, (str, Path)) and not Path(location).is_file():
        raise ImportFileError(_("There is no folder or archive {path}.").format(path=location))
    return ZipSource(location)
