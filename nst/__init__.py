"""NST Explorer's engine: Gatys-style neural style transfer on Keras ImageNet backbones.

UI-free: the Streamlit pages and the CLI are thin layers over this package. Importing it is
cheap; TensorFlow loads with the first module that needs it (`nst.tf_runtime`).
"""

__version__ = "0.1.0"
