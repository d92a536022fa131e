"""Publish the site's first article.

The text is copied here (not read from a file) so that this migration does the
same thing forever. Editorial decisions, as an editor would make them in admin:

- "Content Warning" / "Spoiler Alert" and their sentences become the structured
  content_warning / spoiler_alert fields, shown as banners above the body;
- the article reveals the ending, so it spoils up to episode 12 (the last);
- the two image captions become figures; the images themselves are not ours
  to reproduce, so they point at placeholders we drew (static/img/articles/);
- the sentence revealing a death is wrapped in a block spoiler, its text
  otherwise unchanged (including the missing closing quotation mark);
- "Source: Netflix Korea" becomes the source credit and the trailing line
  "All of Us Are Dead" a tag; every other paragraph is verbatim, in order.

body_html is rendered here by calling the renderer directly: historical
models do not run Article.save(). `manage.py rerender_articles` refreshes it
after a renderer upgrade.
"""

import datetime

from django.db import migrations

from fansite.web.markdown import render_markdown

SLUG = "the-all-of-us-are-dead-scene-that-made-the-cast-cry"
TAG_SLUG = "all-of-us-are-dead"

# A fixed moment, not the time the migration happens to run, so every
# database gets the same article. (The original's exact time is unknown.)
PUBLISHED_AT = datetime.datetime(2022, 2, 1, 0, 0, tzinfo=datetime.UTC)

TITLE = (
    "The Spoiler In One “All of Us Are Dead” Scene Was So Heartbreaking "
    "That It Made All The Cast Cry"
)
STANDFIRST = "The significance of the details shouldn’t be overlooked."
CONTENT_WARNING = (
    "This article includes descriptions of graphic content that may disturb some readers."
)
SPOILER_ALERT = "This article reveals plot details of a current movie or series."

BODY = """\
The latest Netflix series to gain love and attention worldwide is none other than the zombie teen K-Drama All of Us Are Dead.

The series follows a group of students who are battling with the people closest to them to survive after many of them become zombies. Without any resources, the surviving students have to find any way to stay protected because if they don’t, they will become part of the horde.

![Placeholder image: the series poster is not reproduced here](/static/img/articles/poster-placeholder.svg "“All of Us Are Dead” Poster | Netflix")

Although the show is known for its gruesome and brutal storyline, the core essence of the series is more than that. Throughout the show, the small details in each episode have gained attention for the thought and ability to use everything to tell a story.

Some have even compared the plot and aspects of the show to the tragic Sewol Ferry Tragedy, where countless students died.

![Placeholder image: the cast photograph is not reproduced here](/static/img/articles/cast-placeholder.svg "The cast of the show | Netflix")

If netizens have found it emotional watching the show, it isn’t surprising that some moments were so touching and heartwrenching that it was even too much for the cast and writers of the show.

In a recent interview with the director Lee Jae Kyoo and the cast, they spilled some TMI from the show and their experiences while filming the series.

During the video, the cast spoke about each scene, and there was one that brought back a lot of emotional memories for them.

Near the start of the series, Nam On Jo (Park Ji Hoo) gives Lee Soo Hyuk (Park Solomon) her nametag. Although the cast agreed that it wasn’t something that happened often… it was needed for the development of the show.

In particular, the director Lee Jae Kyoo explained that the scene was almost a spoiler for a later episode and that the name tag has an emotional significance that netizens should watch out for.

> This is kind of a spoiler, but there’s a sad scene about the nametag.
>
> — Lee Jae Kyoo

:::spoiler A character’s death
It is the scene after Soo Hyuk dies and the main character Lee Cheong San (Yoon Chan Young) hands On Jo back the nametag with the words, “Take care of it.
:::

According to the cast, everyone was extremely emotional when watching the scene…

The director cried while filming it…

And even the writer cried while he was creating the scene on paper.

Writer Chun Sung Il explained how important this scene was for him to write as it was the perfect way to portray the contrasting moments between the students.

> It’s in the best and worst moments that relationships come to play. Who do we want to share our sadness with? That’s why I focused on their relationship. I think that’s an essential element of this show.
>
> — Chun Sung Il

Even the director explained the significance of this scene to remind viewers that they are only students facing unprecedented situations at the end of the day.

> In zombie movies, people try hard to survive. Survival is important but how you live on is more important. So you should think about existence rather than just surviving.
>
> — Lee Jae Kyoo

The scene is a reminder of the show’s core message, which is more than just students becoming zombies. There is no denying that with each video from the cast, more detail is shone on the show and the scene’s hidden meanings.

You can watch the whole video below.
"""


def publish(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Tag = apps.get_model("articles", "Tag")
    Episode = apps.get_model("episodes", "Episode")

    tag, _ = Tag.objects.get_or_create(slug=TAG_SLUG, defaults={"name": "All of Us Are Dead"})
    article, created = Article.objects.get_or_create(
        slug=SLUG,
        defaults={
            "title": TITLE,
            "standfirst": STANDFIRST,
            "body": BODY,
            "body_html": render_markdown(BODY, trusted=True),
            # No author: the site's editors publish it (the byline falls back
            # to "the <site> editors"). A system account would be a user row
            # with a password nobody should ever use.
            "author": None,
            "status": "published",
            "published_at": PUBLISHED_AT,
            "content_warning": CONTENT_WARNING,
            "spoiler_alert": SPOILER_ALERT,
            # It reveals the ending: the last episode of season 1.
            "spoils_episode": Episode.objects.get(position=12),
            "source_credit": "Netflix Korea",
        },
    )
    if created:
        article.tags.add(tag)


def unpublish(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Tag = apps.get_model("articles", "Tag")
    Article.objects.filter(slug=SLUG).delete()
    Tag.objects.filter(slug=TAG_SLUG, articles__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("episodes", "0002_seed_season_one"),
    ]

    operations = [migrations.RunPython(publish, unpublish)]
