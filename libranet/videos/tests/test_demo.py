from libranet.events.demo import seed_events
from libranet.videos.demo import VIDEOS, seed_videos
from libranet.videos.models import Video, VideoState


def test_demo_videos(client, tver_rc, penza_rc, now):
    made = seed_videos()
    assert made == sum(1 for row in VIDEOS if row[0] in {"RU-TVE-RC", "RU-PNZ-RC"})
    for video in Video.objects.all():
        assert video.hosted is not None, video.link
        assert video.submitted_at < now
    states = set(Video.objects.values_list("state", flat=True))
    assert states == set(VideoState.values)
    published = Video.objects.filter(state=VideoState.PUBLISHED).count()
    page = client.get("/ru/video/").content.decode()
    assert page.count("<iframe") == published


def test_demo_videos_film_the_seeded_events(tver_rc, penza_rc, now, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_events(seed=2018)
    seed_videos()
    filmed = Video.objects.exclude(event=None).select_related("event")
    assert {v.center.code for v in filmed} == {"RU-TVE-RC", "RU-PNZ-RC"}
    for video in filmed:
        assert video.event.centers.filter(pk=video.center_id).exists() and not video.event_name
