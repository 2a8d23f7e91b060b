import streamlit as st

st.title("reconstructions")
st.info("Coming soon.")
