"""Theory: the losses as formulas, with the course's examples computed by the engine itself."""

from __future__ import annotations

import numpy as np
import streamlit as st

import ui
from nst.explain import grams, worked
from nst.plan import FINE_STAGE_FACTORS
from ui import inspection

ui.through_app()  # a deep link on a fresh server runs this file alone: go through app.py

st.title("Theory")
st.caption(
    "Neural style transfer (Gatys, Ecker & Bethge, 2015) optimises the *pixels* of an image so that a "
    "pretrained network (VGG19) sees the photo's content and the painting's style in it at once."
)


def bmatrix(a: np.ndarray) -> str:
    """A matrix as LaTeX, numbers shortened."""
    rows = [" & ".join(f"{v:.3g}" for v in row) for row in np.atleast_2d(a)]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


st.header("1 · Content loss")
st.latex(r"\mathcal{L}_{content}(\vec p, \vec x, l) = \tfrac12 \sum_{i,j} \left(F^l_{ij} - P^l_{ij}\right)^2")
st.markdown(
    "$F^l$ are the features of the generated image at layer $l$ (one row per channel $i$, one column per "
    "position $j$), $P^l$ those of the photo. A deep layer (conv4_2 by default) is used: it knows *what* is "
    "where, but not the exact pixels."
)
ex = worked.worked_content_example()
st.latex(
    rf"F = {bmatrix(ex.F)} \quad P = {bmatrix(ex.P)} \quad (F - P)^2 = {bmatrix(ex.squared)} \quad "
    rf"\tfrac12 \sum (F-P)^2 = \tfrac12({' + '.join(f'{v:g}' for v in ex.squared.ravel())}) = \mathbf{{{ex.loss:g}}}"
)
st.caption("The course's worked example, computed just now by the engine's own `nst.losses.content_loss`.")

st.header("2 · Style loss and the Gram matrix")
st.latex(
    r"G^l_{ij} = \sum_k F^l_{ik} F^l_{jk} \qquad "
    r"E_l = \frac{1}{4 N_l^2 M_l^2} \sum_{i,j} \left(G^l_{ij} - A^l_{ij}\right)^2 \qquad "
    r"\mathcal{L}_{style} = \sum_l w_l E_l"
)
st.markdown(
    "$G^l$ is the Gram matrix of the generated image, $A^l$ the painting's; $N_l$ channels, $M_l$ positions. "
    "$G_{ij}$ adds up, over **all positions**, how strongly channels $i$ and $j$ fire together — so it knows "
    "which textures and colours co-occur, but not where. Layers conv1_1 … conv5_1 (weights $w_l$) cover "
    "textures from a few pixels to large strokes."
)
g = worked.worked_gram_example()
st.latex(rf"F = {bmatrix(g.F.T)} \quad G = F F^\top = {bmatrix(g.G)} \quad \frac{{G}}{{M}} = {bmatrix(g.G_normalised)}")
st.caption(
    f"A feature map of {g.N} channels (rows of F) at {g.M} positions (columns). Channels 1 and 3 fire at the same "
    f"positions, so G₁₃ = {g.G[0, 2]:g} is large; channel 2 fires elsewhere, so G₁₂ = {g.G[0, 1]:g} is small. "
    "Computed by the engine's `nst.losses.gram_matrix` (which stores F transposed, positions × channels, and "
    "takes FᵀF — the same G)."
)

st.subheader("Why the Gram matrix forgets where things are")
found = inspection.subjects()
style = next((s for r, s in found.items() if r.startswith("Style")), None)
content = found.get("Content")
if style is not None and content is not None:
    backbone = inspection.backbone()
    layers = list(backbone.spec.style_layers)
    shuffled = worked.shuffle_tiles(style.image, tiles=4, seed=1)
    base = grams.gram_matrices(backbone, style.image, layers)
    e_shuffled = grams.style_layer_losses(grams.gram_matrices(backbone, shuffled, layers), base)
    e_content = grams.style_layer_losses(grams.gram_matrices(backbone, content.image, layers), base)
    c1, c2, c3 = st.columns(3)
    c1.image(style.image, caption=f"the painting ({style.name})", width="stretch")
    c2.image(
        shuffled, caption=f"cut into 16 tiles and shuffled: style loss {sum(e_shuffled.values()):.3g}", width="stretch"
    )
    c3.image(
        content.image, caption=f"the photo ({content.name}): style loss {sum(e_content.values()):.3g}", width="stretch"
    )
    ratio = sum(e_content.values()) / max(sum(e_shuffled.values()), 1e-12)
    st.caption(
        f"Shuffling destroys the layout but keeps the textures: to the Gram matrices the shuffled painting is "
        f"still the painting ({ratio:.0f}× closer in style loss than the photo). Only the deepest layers, whose "
        "units see large parts of the image, notice the cuts."
    )
else:
    st.caption("Pick a photo and a painting in the Studio to see this computed on your pictures.")

st.header("3 · Putting it together")
st.latex(
    r"\mathcal{L}_{total} = \alpha\, \mathcal{L}_{content} + \beta\, \mathcal{L}_{style} + "
    r"\lambda_{TV} \sum_{i,j} \left( |x_{i+1,j} - x_{i,j}| + |x_{i,j+1} - x_{i,j}| \right)"
)
st.markdown(
    "In the optimiser each term is divided by its value for a black image: "
    r"$\mathcal{L}_{content}/\mathcal{L}_{content}(0) = \sum (F-P)^2 / \sum P^2$ and "
    r"$E_l / E_l(0) = \sum (G-A)^2 / \sum A^2$ — relative squared errors. Raw $E_l$ differ by orders of "
    "magnitude between a soft painting and a high-contrast one and between shallow and deep layers; "
    "divided like this, **α = β = 1** is a balanced picture for any photo, painting and size, and the "
    "per-layer weights $w_l$ mean what they say."
)
fine_factors = ", ".join(f"block{b} ×{f:g}" for b, f in FINE_STAGE_FACTORS.items())
st.markdown(f"""
- **α / β** sets the balance: a large ratio keeps the photo, a small one gives the painting more say.
  The Studio's *style-strength sweep* shows the whole range on your images.
- **Total variation** penalises differences between neighbouring pixels, smoothing the high-frequency noise
  that the optimisation otherwise leaves behind.
- The loss is minimised over the **pixels**, with the network's weights frozen: gradients flow back through
  VGG19 to the image (`tf.GradientTape`). L-BFGS, Adam or SGD take the steps; coarse-to-fine runs do most
  of them at low resolution, where they are cheap and where the painting's large shapes form. At the full
  size the style layers' weights are multiplied by {fine_factors}, because what is still
  missing there is the brushwork (*Brushwork at full size* in the settings).
""")

st.header("Where to see each term")
c1, c2 = st.columns(2)
c3, c4 = st.columns(2)
c1.page_link("pages/feature_maps.py", label="Feature maps: F of every layer", icon=":material/grid_on:")
c2.page_link("pages/gram_matrices.py", label="Gram matrices: G vs A, per layer", icon=":material/blur_on:")
c3.page_link("pages/reconstructions.py", label="What each layer captures", icon=":material/layers:")
c4.page_link("pages/studio.py", label="Studio: the loss curves of a run", icon=":material/brush:")
