import streamlit as st

st.title("gram_matrices")
st.info("Coming soon.")
