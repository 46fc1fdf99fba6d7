from libranet.events.demo import SYNTHETIC, seed_events
from libranet.events.models import Event, JointEventReport


def test_the_demo_seeds_the_documents_events_synthetic_ones_and_a_round(centers, client):
    made = seed_events(seed=1)
    assert made.events == 3 + SYNTHETIC  # Tver, Ulan Bator, Penza (no Tyumen branch here)
    bortenev = Event.objects.get(title_en__contains="Bortenev")
    assert bortenev.joint_with_library and bortenev.starts_at.year == 2018
    assert Event.objects.filter(centers__code="MN-01", time_zone="Asia/Ulaanbaatar").exists()
    assert made.photos >= 1 and made.reports == 2
    assert JointEventReport.objects.filter(state="confirmed").count() == made.confirmed
    assert all(e.title_ru and e.title_en for e in Event.objects.all())
    assert client.get(f"/ru/events/{bortenev.pk}/").status_code == 200
