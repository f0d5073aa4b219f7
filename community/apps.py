from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"

    def ready(self) -> None:
        from civil_affairs import deaths

        from .services import end_posts_at_death

        # After assistance (10), elder care (20) and marriage (30): a worker's posts end on the date of death.
        deaths.connect("community.end_posts", end_posts_at_death, order=40)
