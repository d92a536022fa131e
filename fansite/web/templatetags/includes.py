"""{% extends %} and {% include %} as Django's, with what they look up on every
render worked out once (a builtin library: settings.TEMPLATES, so every template
has them in place of Django's).

- ``{% extends %}``: the blocks of the template at the top of the chain
  (base.html) are listed once per compiled template. Django walks its whole
  node tree for them on every page, about 3% of a page drawn afresh.
- ``{% include "name" %}`` with a name written in the template: the template is
  found once per node. Django looks it up through the loaders once per render.
  A name from a variable is looked up as Django does.

A node lives as long as the compiled template holding it: with the cached loader
(DEBUG off) the process, else a single render, so an edited template is still
picked up in development.
"""

from django import template
from django.template.base import TextNode
from django.template.loader_tags import (
    BLOCK_CONTEXT_KEY,
    BlockContext,
    BlockNode,
    ExtendsNode,
    do_extends,
    do_include,
)

register = template.Library()

_ROOT_BLOCKS = "_fansite_root_blocks"


class Extends(ExtendsNode):
    def render(self, context):
        parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        blocks = context.render_context[BLOCK_CONTEXT_KEY]
        blocks.add_blocks(self.blocks)
        blocks.add_blocks(root_blocks(parent))
        with context.render_context.push_state(parent, isolated_context=False):
            return parent._render(context)


def root_blocks(parent):
    """``{name: block}`` of ``parent`` if it is the top of the chain (it extends
    nothing), else ``{}``: as Django's ExtendsNode.render finds them, once."""
    found = parent.__dict__.get(_ROOT_BLOCKS)
    if found is None:
        found = {}
        for node in parent.nodelist:
            # {% extends %}, if any, is the first node that is not text.
            if not isinstance(node, TextNode):
                if not isinstance(node, ExtendsNode):
                    found = {
                        block.name: block for block in parent.nodelist.get_nodes_by_type(BlockNode)
                    }
                break
        setattr(parent, _ROOT_BLOCKS, found)
    return found


class _Named:
    """An {% include %}'s template name written in the template, standing where
    Django keeps the name: resolved, it is the template itself (Django's
    IncludeNode renders a template it is given without looking it up). The name
    was made absolute when the tag was parsed, as Django does."""

    def __init__(self, name):
        self.name = name
        self.template = None

    def resolve(self, context):
        if self.template is None:
            self.template = context.template.engine.select_template((self.name,))
        return self.template


@register.tag("extends")
def extends(parser, token):
    node = do_extends(parser, token)
    return Extends(node.nodelist, node.parent_name, node.template_dirs)


@register.tag("include")
def include(parser, token):
    node = do_include(parser, token)
    named = node.template
    if isinstance(named.var, str) and not named.filters:
        node.template = _Named(named.var)
    return node
