"""What each layer of the network sees: the computation behind the "Inside the network" pages.

Feature maps, Gram matrices and layer reconstructions (Gatys et al. 2015, figure 1) of the
user's own images. The pages only call these modules and draw, so everything here is memoised
(per backbone, with `Backbone.memo`) where it costs a forward pass and cheap (numpy on cached
arrays) where it does not. Import the module you need:

* `activations` — feature maps: all layers from one forward pass, memoised per image and size;
  the layer and size checks the other modules share.
* `colormaps` — the sequential colour scales (viridis, magma, …) as lookup tables.
* `channels` — pictures of feature maps: channels normalised, ranked, coloured, laid out in a
  grid, overlaid on the photo, the strongest channel of every layer.
* `grams` — Gram matrices of the cached activations (the engine's `gram_matrix`), display
  orderings, per-layer style losses.
* `reconstructions` — content and style reconstructions from white noise, run by the engine's
  own loop and planned to fit a few seconds a picture on this machine; results are memoised.
* `worked` — the Theory page's worked examples and the tile shuffle.
"""
