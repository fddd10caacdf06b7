from django.urls import reverse


def test_structure_shows_pillars_categories_and_people_in_constant_queries(
    client, hub, django_assert_max_num_queries
):
    client.force_login(hub.buyer)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("categories:structure")).content.decode()
    for text in (
        "Corporate and Commercial",
        "ITS – IT Services",
        hub.head.get_full_name(),
        hub.cm.get_full_name(),
        hub.cover.get_full_name(),
        hub.cat_manager.get_full_name(),
        hub.cat_officer.get_full_name(),
    ):
        assert text in html
    assert f"?contract_manager={hub.cm.pk}" in html
