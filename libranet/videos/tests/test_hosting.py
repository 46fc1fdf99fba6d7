import pytest

from libranet.videos.hosting import is_known_host, parse_video_link


@pytest.mark.parametrize(
    ("url", "service", "video_id", "embed"),
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10",
            "youtube",
            "dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://youtu.be/dQw4w9WgXcQ",
            "youtube",
            "dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://vk.com/video-12345678_456239017",
            "vk",
            "-12345678_456239017",
            "https://vk.com/video_ext.php?oid=-12345678&id=456239017&hd=2",
        ),
        (
            "https://vkvideo.ru/video-12345678_456239017",
            "vk",
            "-12345678_456239017",
            "https://vk.com/video_ext.php?oid=-12345678&id=456239017&hd=2",
        ),
        (  # VK's embedding address keeps its hash (videos closed to other embedding need it)
            "https://vk.com/video_ext.php?oid=-12345678&id=456239017&hash=3f9a2c1b0d4e5f67",
            "vk",
            "-12345678_456239017",
            "https://vk.com/video_ext.php?oid=-12345678&id=456239017&hd=2&hash=3f9a2c1b0d4e5f67",
        ),
        (
            "https://rutube.ru/video/0123456789abcdef0123456789abcdef/",
            "rutube",
            "0123456789abcdef0123456789abcdef",
            "https://rutube.ru/play/embed/0123456789abcdef0123456789abcdef",
        ),
    ],
)
def test_known_links_give_their_player(url, service, video_id, embed):
    hosted = parse_video_link(url)
    assert (hosted.service, hosted.video_id, hosted.embed_url) == (service, video_id, embed)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a link",
        "javascript:alert(1)",
        "ftp://youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://evil.example/youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/channel/UCabc",
        "https://youtu.be/",
        "https://vk.com/club123",
        "https://vk.com/video-1_2<script>",
        "https://vk.com/video_ext.php?oid=-1&id=2&hash=%22onload%3D",
        "https://vk.com/video_ext.php?oid=-1&id=-2",
        "https://vk.com/video_ext.php?oid=-1&id=%C2%B2",
        "https://vk.com/video-1_%D9%A3",
        "https://rutube.ru/channel/123/",
        "https://rutube.ru/video/nothex/",
        "https://youtube.com:8080/watch?v=dQw4w9WgXcQ",
    ],
)
def test_other_links_are_not_videos(url):
    assert parse_video_link(url) is None


def test_known_hosts_for_the_channel():
    assert is_known_host("https://rutube.ru/channel/23460655/")
    assert not is_known_host("https://rutube.example/channel/1/")
