"""Streamlit-side helpers for the pages: cached reads (cache), the filter sidebar (widgets).

formatting and charts import no Streamlit, so exports can reuse them.
"""
