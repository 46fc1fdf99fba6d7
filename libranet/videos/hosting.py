"""The hosting services a video link may point at (YouTube, VK Video, RUTUBE): a link is read
into its service and video id, from which the embedded player's address is built. Anything
else (another host, a page that is not one video) is not a known video link."""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

YOUTUBE = "youtube"
VK = "vk"
RUTUBE = "rutube"

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VK_ID = re.compile(r"/video(-?[0-9]+)_([0-9]+)/?")
_VK_NUMBER = re.compile(r"-?[0-9]+")
_VK_HASH = re.compile(r"[0-9a-f]{1,64}")
_RUTUBE_ID = re.compile(r"^/video/([0-9a-f]{32})/?$")


@dataclass(frozen=True)
class HostedVideo:
    service: str
    video_id: str  # for VK: "OWNER_ID_VIDEO_ID"
    # VK's player of a video closed to embedding asks for the hash of its "Share → Embed"
    # address, which only that address carries: kept when such an address is given.
    vk_hash: str = ""

    @property
    def embed_url(self) -> str:
        if self.service == YOUTUBE:
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}"
        if self.service == VK:
            owner, video = self.video_id.rsplit("_", 1)
            query = {"oid": owner, "id": video, "hd": "2"}
            if self.vk_hash:
                query["hash"] = self.vk_hash
            return f"https://vk.com/video_ext.php?{urlencode(query)}"
        return f"https://rutube.ru/play/embed/{self.video_id}"


KNOWN_HOSTS = {"youtube.com", "youtu.be", "vk.com", "vk.ru", "vkvideo.ru", "rutube.ru"}


def _host(url: str) -> str:
    try:
        parts = urlsplit((url or "").strip())
        if parts.scheme not in ("http", "https") or parts.port not in (None, 80, 443):
            return ""
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    return host.split(".", 1)[1] if host.startswith(("www.", "m.")) else host


def is_known_host(url: str) -> bool:
    """Is ``url`` an address on one of the hosting services (a video, a channel)?"""
    return _host(url) in KNOWN_HOSTS


def parse_video_link(url: str) -> HostedVideo | None:
    """The service and video id of ``url``, or None if it is not one video on a known host."""
    host = _host(url)
    if not host:
        return None
    parts = urlsplit(url.strip())
    if host == "youtube.com":
        if parts.path == "/watch":
            video_id = parse_qs(parts.query).get("v", [""])[0]
        elif parts.path.startswith(("/shorts/", "/embed/", "/live/")):
            video_id = parts.path.split("/")[2]
        else:
            return None
        return HostedVideo(YOUTUBE, video_id) if _YOUTUBE_ID.match(video_id) else None
    if host == "youtu.be":
        video_id = parts.path.strip("/")
        return HostedVideo(YOUTUBE, video_id) if _YOUTUBE_ID.match(video_id) else None
    if host in ("vk.com", "vkvideo.ru", "vk.ru"):
        if parts.path == "/video_ext.php":  # the embedding address, with its hash
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            owner, video, key = query.get("oid", ""), query.get("id", ""), query.get("hash", "")
            valid = _VK_NUMBER.fullmatch(owner) and _VK_NUMBER.fullmatch(video)
            if not valid or video.startswith("-") or (key and not _VK_HASH.fullmatch(key)):
                return None
            return HostedVideo(VK, f"{owner}_{video}", key)
        found = _VK_ID.fullmatch(parts.path)
        return HostedVideo(VK, f"{found[1]}_{found[2]}") if found else None
    if host == "rutube.ru":
        found = _RUTUBE_ID.match(parts.path)
        return HostedVideo(RUTUBE, found[1]) if found else None
    return None
