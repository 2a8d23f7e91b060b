import streamlit as st

st.title("theory")
st.info("Coming soon.")
